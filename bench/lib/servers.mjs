// The servers under test, each run as its own child process, and what the load tool reads of
// them from /proc: resident memory (VmRSS) and CPU time (utime + stime).
import { fork, execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { redisBenchPrefix } from './redis-prefix.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const serversDir = join(here, '..', 'servers');

/**
 * Every server the bench knows. `protocol` is what the load tool speaks to it; `persisted` marks
 * a Switchboard whose bench channels are in a persisted namespace (see servers/switchboard.mjs),
 * `unpersisted` names the same server without, and `scenarios` limits where a server runs.
 */
export const SERVERS = {
  ws: {
    label: 'raw ws (a)',
    script: 'ws-broadcast.mjs',
    args: [],
    protocol: 'ably',
    format: 'json',
  },
  'ws-cork': {
    label: 'ws corked (b)',
    script: 'ws-broadcast.mjs',
    args: ['--cork'],
    protocol: 'ably',
    format: 'json',
  },
  socketio: {
    label: 'socket.io (c)',
    script: 'socketio.mjs',
    args: [],
    protocol: 'sio',
    format: 'json',
  },
  // Installed on first use (lib/soketi-peer.mjs); presence (v) is Switchboard only anyway.
  soketi: {
    label: 'Soketi (d)',
    script: 'soketi.mjs',
    args: [],
    protocol: 'pusher',
    format: 'json',
    peer: 'soketi',
    scenarios: ['latency', 'fanout', 'channels', 'idle', 'connections'],
  },
  'sb-json': {
    label: 'Switchboard json',
    script: 'switchboard.mjs',
    args: [],
    protocol: 'ably',
    format: 'json',
    switchboard: true,
  },
  'sb-msgpack': {
    label: 'Switchboard msgpack',
    script: 'switchboard.mjs',
    args: [],
    protocol: 'ably',
    format: 'msgpack',
    switchboard: true,
  },
  // Persistence only changes what publishing costs, so these run in (iii) only.
  'sb-json-persisted': {
    label: 'Switchboard json persisted',
    script: 'switchboard.mjs',
    args: ['--persisted'],
    protocol: 'ably',
    format: 'json',
    switchboard: true,
    persisted: true,
    unpersisted: 'sb-json',
    scenarios: ['channels'],
  },
  'sb-msgpack-persisted': {
    label: 'Switchboard msgpack persisted',
    script: 'switchboard.mjs',
    args: ['--persisted'],
    protocol: 'ably',
    format: 'msgpack',
    switchboard: true,
    persisted: true,
    unpersisted: 'sb-msgpack',
    scenarios: ['channels'],
  },
  // Scale-out: the same Switchboard with channels on Redis (--redis <url>, default REDIS_URL or
  // the local one), one node and two nodes (subscribers split between them, the publisher on the
  // first), in the throughput scenarios only.
  'sb-redis-1': {
    label: 'Switchboard msgpack, 1 node on Redis',
    script: 'switchboard.mjs',
    args: [],
    protocol: 'ably',
    format: 'msgpack',
    switchboard: true,
    nodes: 1,
    scenarios: ['fanout', 'channels'],
  },
  'sb-redis-2': {
    label: 'Switchboard msgpack, 2 nodes on Redis',
    script: 'switchboard.mjs',
    args: [],
    protocol: 'ably',
    format: 'msgpack',
    switchboard: true,
    nodes: 2,
    scenarios: ['fanout', 'channels'],
  },
};

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: Linux's USER_HZ is 100 nearly everywhere.
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function procCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function procRssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Bytes of the SQLite database in a Switchboard data dir, WAL included. */
export function storeBytes(dataDir) {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(join(dataDir, `switchboard.sqlite${suffix}`)).size;
    } catch {
      // no WAL file (yet): nothing to add
    }
  }
  return total;
}

/** This process's CPU seconds (the load client). */
export function selfCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Starts one server under test as a child process and waits for it to listen; a server with
 * `nodes` is that many Switchboard processes on one Redis prefix of their own (removed on stop),
 * measured together.
 * @param {keyof typeof SERVERS} id
 * @param {{ profileDir?: string, timeoutMs?: number }} options
 */
export async function startServer(id, options = {}) {
  const spec = SERVERS[id];
  if (!spec.nodes) return startProcess(id, spec, spec.args, options);
  const redis = await redisBenchPrefix();
  const args = [...spec.args, '--redis', redis.url, '--prefix', redis.prefix];
  const nodes = [];
  try {
    for (let n = 0; n < spec.nodes; n++) nodes.push(await startProcess(id, spec, args, options));
  } catch (err) {
    for (const node of nodes) await node.stop();
    await redis.drop();
    throw err;
  }
  const sum = (read) => nodes.reduce((total, node) => total + read(node), 0);
  return {
    ...nodes[0],
    ports: nodes.map((node) => node.port),
    storeBytes: () => NaN,
    gc: async () => (await Promise.all(nodes.map((node) => node.gc())))[0],
    cpuSeconds: () => sum((node) => node.cpuSeconds()),
    rssBytes: () => sum((node) => node.rssBytes()),
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      await redis.drop();
    },
  };
}

/** Forks one server process and waits for it to listen. */
function startProcess(id, spec, args, options) {
  const execArgv = ['--expose-gc'];
  if (options.profileDir) {
    mkdirSync(options.profileDir, { recursive: true });
    execArgv.push(
      '--cpu-prof',
      `--cpu-prof-dir=${options.profileDir}`,
      `--cpu-prof-name=${id}-${Date.now()}.cpuprofile`,
    );
  }
  const child = fork(join(serversDir, spec.script), args, {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${id} did not start within ${options.timeoutMs ?? 20000} ms`));
    }, options.timeoutMs ?? 20000);
    const early = (code) => {
      clearTimeout(timer);
      reject(new Error(`${id} exited with code ${code} before listening`));
    };
    child.once('exit', early);
    child.once('message', (msg) => {
      clearTimeout(timer);
      if (msg?.type !== 'ready') {
        reject(new Error(`${id}: unexpected first message`));
        return;
      }
      child.off('exit', early);
      resolve({
        id,
        spec,
        pid: child.pid,
        port: msg.port,
        key: msg.key,
        /** SQLite bytes in the server's data dir (NaN for servers without one). */
        storeBytes: () => (msg.dataDir ? storeBytes(msg.dataDir) : NaN),
        /** Asks the server to collect garbage; resolves with its process.memoryUsage(). */
        gc: () =>
          new Promise((done) => {
            const t = setTimeout(() => done(undefined), 5000);
            const onMessage = (m) => {
              if (m?.type !== 'gc-done') return;
              clearTimeout(t);
              child.off('message', onMessage);
              done(m.memory);
            };
            child.on('message', onMessage);
            child.send({ type: 'gc' });
          }),
        cpuSeconds: () => procCpuSeconds(child.pid),
        rssBytes: () => procRssBytes(child.pid),
        /** Stops the server cleanly (so a CPU profile gets written), killing it after 10 s. */
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.send({ type: 'exit' });
            const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(t);
          }
        },
      });
    });
  });
}
