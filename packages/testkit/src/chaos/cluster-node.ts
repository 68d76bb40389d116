import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// The CLI sits beside the package's entry point (dist/index.js).
const CLI = join(dirname(require.resolve('@switchboard/server-node')), 'cli.js');

/** One Switchboard node of a cluster in a child process, so it can be killed as a crash would. */
export interface ClusterNode {
  readonly id: string;
  readonly port: number;
  alive(): boolean;
  /** Resolves when the process exits, however that happens. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** SIGKILL: no drain, no goodbye to Redis, as a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM: the node drains (clients told to reconnect, writes stored) and exits. */
  drain(): Promise<void>;
  /** The last few KB the node wrote, to show when it died on its own. */
  tail(): string;
}

/** How a node starts: `env` carries REDIS_URL and the rest of the cluster's settings. */
export interface ClusterNodeOptions {
  id: string;
  config: string;
  dataDir: string;
  env: Record<string, string>;
}

/** Starts a node on an ephemeral port and resolves once it listens. */
export function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const proc = spawn(
    process.execPath,
    [CLI, '-c', options.config, '--port', '0', '--host', '127.0.0.1'].concat([
      '--data-dir',
      options.dataDir,
    ]),
    {
      env: { ...process.env, ...options.env, SWITCHBOARD_NODE_ID: options.id },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let tail = '';
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-16_000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  // A runner that dies must not leave its nodes behind.
  const killOnExit = (): void => void proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  const alive = (): boolean => proc.exitCode === null && proc.signalCode === null;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (alive()) proc.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearInterval(poll);
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`node ${options.id} ${why}: ${tail.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail('did not start within 30 s'), 30_000);
    const poll = setInterval(() => {
      if (!alive()) return fail('exited at start');
      const port = /listening on http:\/\/\S+:(\d+)/.exec(tail)?.[1];
      if (!port) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({
        id: options.id,
        port: Number(port),
        alive,
        exited,
        kill: () => stop('SIGKILL'),
        drain: () => stop('SIGTERM'),
        tail: () => tail,
      });
    }, 25);
  });
}
