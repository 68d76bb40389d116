#!/usr/bin/env node
// Switchboard benchmark: fan-out throughput, latency and memory, side by side with raw ws (naive
// and corked) and socket.io, all in one run. This process is the load generator; every server
// under test is its own child process, started and stopped one at a time.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { cpus, availableParallelism, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { SERVERS, startServer } from './lib/servers.mjs';
import { defineScenarios, runFanout, runIdle, runPresence } from './lib/scenarios.mjs';
import { renderReport, targetSummary } from './lib/report.mjs';
import { ensureSoketi } from './lib/soketi-peer.mjs';
import { runConnections } from './lib/scale.mjs';
import { runChat } from './lib/chat.mjs';
import { raiseOpenFileLimit } from './lib/fd-limit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const HELP = `Switchboard benchmark — fan-out throughput, latency and memory against raw ws and socket.io

Usage: npm run bench -- [options]        (or: node bench/run.mjs [options] after npm run build)

Scenarios ((i)–(v) by default; name or roman numeral):
  latency  (i)    1,000 subscribers on one channel, 100 msg/s: publish→deliver p50/p95/p99
  fanout   (ii)   1,000 subscribers on one channel, publishing flat out: deliveries/s
  channels (iii)  100 channels × 10 subscribers, flat out: deliveries/s
  idle     (iv)   5,000 idle attached connections: server RSS per connection
  presence (v)    500 members entering and leaving one channel (Switchboard only)
  connections (vi) 20,000 attached connections on one channel, opened by several load processes
                  with the raw client: connect rate, RSS per connection, time for one message to
                  reach all of them (default servers: ws, soketi, sb-json)
  chat     (vii)  1,000 official ably clients in conversation:{id} channels of 4: time to
                  CONNECTED, message delivery and typing:start latency against the chat
                  product's targets (Switchboard only)

Servers (all by default), each its own process:
  ws          (a) raw ws broadcast, one socket.send per subscriber
  ws-cork     (b) the same, every socket corked once per event-loop turn (the Node ceiling)
  socketio    (c) socket.io 4 with rooms
  soketi      (d) Soketi 1.6 (uWebSockets.js), Pusher protocol: private channels, client events;
                  installed into bench/peers/soketi on first use; (i)–(iv)
  sb-json         Switchboard, JSON wire format
  sb-msgpack      Switchboard, msgpack wire format
  sb-json-persisted, sb-msgpack-persisted
                  The same with the channels in a persisted namespace, so that every publish
                  is committed to SQLite (fresh data dir) before it is ACKed and delivered;
                  (iii) only, compared with the unpersisted runs (target ≥ 0.7×)
  sb-redis-1      Switchboard msgpack with its channels on Redis (the cluster broker), 1 node
  sb-redis-2      The same, 2 nodes on one Redis: subscribers split between them, the
                  publisher on the first; (ii) and (iii) only, CPU and RSS summed over nodes

Options:
  --quick               Short run (under 2 minutes): one round of shorter runs, 200 members
  --scenarios <list>    Comma-separated scenarios to run
  --servers <list>      Comma-separated servers to run
  --client <mode>       raw (default): the bench's own minimal client, cheap per message, so the
                        server is what is measured; official: ably-js for Switchboard,
                        socket.io-client for socket.io (the ws baselines stay raw)
  --subs <n>            Subscribers in (i)–(iii) (default 1000)
  --channels <n>        Channels in (iii) (default 100)
  --rate <n>            Messages per second in (i) (default 100)
  --idle <n>            Connections in (iv) (default 5000)
  --members <n>         Presence members in (v) (default 500, quick 200)
  --conns <n>           Connections in (vi) (default 20000, quick 2000); the open-file limit is
                        raised for the run when the hard limit allows
  --messages <n>        Messages fanned out to all connections in (vi) (default 5)
  --clients <n>         Official clients in (vii) (default 1000, quick 100)
  --per-conversation <n> Members per conversation in (vii) (default 4)
  --chat-rate <n>       Clients connecting per second in (vii) (default 250)
  --chat-workers <n>    Load processes running the clients in (vii) (default 2)
  --chat-seconds <s>    Seconds of chatting in (vii) (default 20, quick 5)
  --chat-interval <ms>  Each conversation sends a message this often in (vii) (default 2000)
  --window <n>          Flat out: messages in flight per channel; in (v), presence operations
                        in flight (default 50)
  --rounds <n>          Run every server this many times per scenario, in turns, and keep
                        each one's best run (default 2, quick 1)
  --size <n>            Payload characters per message (default 64)
  --duration <s>        Measured seconds per run, twice that in (i) (default 5, quick 1.5)
  --warmup <s>          Warm-up seconds per run before measuring (default 1, quick 0.5)
  --profile             Run servers with --cpu-prof; profiles go to bench/results/profiles
  --json                Print the results as JSON on stdout (tables go to stderr)
  --redis <url>         Redis for the sb-redis rows (default REDIS_URL, else redis://127.0.0.1:6379);
                        each run gets a key prefix of its own, removed afterwards
  --results <dir|none>  Where latest.json and latest.md go (default bench/results)
  --update-docs         Write the tables into docs/performance.md
  -h, --help            Show this help

Every figure is also given as a ratio to raw ws (a) measured in the same run: on a shared
machine only ratios mean much. Results are saved under bench/results/.`;

const ALIASES = {
  i: 'latency',
  ii: 'fanout',
  iii: 'channels',
  iv: 'idle',
  v: 'presence',
  vi: 'connections',
  vii: 'chat',
};
const DEFAULT_SCENARIOS = ['latency', 'fanout', 'channels', 'idle', 'presence'];
const ALL_SCENARIOS = [...DEFAULT_SCENARIOS, 'connections', 'chat'];

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      scenarios: { type: 'string' },
      scenario: { type: 'string' },
      conns: { type: 'string' },
      messages: { type: 'string' },
      clients: { type: 'string' },
      'per-conversation': { type: 'string' },
      'chat-rate': { type: 'string' },
      'chat-workers': { type: 'string' },
      'chat-seconds': { type: 'string' },
      'chat-interval': { type: 'string' },
      servers: { type: 'string' },
      client: { type: 'string' },
      subs: { type: 'string' },
      channels: { type: 'string' },
      rate: { type: 'string' },
      idle: { type: 'string' },
      members: { type: 'string' },
      window: { type: 'string' },
      rounds: { type: 'string' },
      size: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      profile: { type: 'boolean' },
      json: { type: 'boolean' },
      results: { type: 'string' },
      redis: { type: 'string' },
      'update-docs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const quick = values.quick ?? false;
  const num = (name, fallback, min = 0) => {
    if (values[name] === undefined) return fallback;
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  const list = (value, all, aliases = {}, fallback = all) => {
    if (!value) return fallback;
    const items = value
      .split(',')
      .map((s) => aliases[s.trim()] ?? s.trim())
      .filter(Boolean);
    for (const item of items)
      if (!all.includes(item)) throw new Error(`unknown: ${item} (one of ${all.join(', ')})`);
    return items;
  };
  // The sb-redis servers find Redis here (bench/lib/redis-prefix.mjs).
  if (values.redis) process.env.REDIS_URL = values.redis;
  const client = values.client ?? 'raw';
  if (client !== 'raw' && client !== 'official') throw new Error('--client is raw or official');
  return {
    help: values.help ?? false,
    quick,
    scenarios: list(values.scenarios ?? values.scenario, ALL_SCENARIOS, ALIASES, DEFAULT_SCENARIOS),
    servers: list(values.servers, Object.keys(SERVERS)),
    serversGiven: values.servers !== undefined,
    client,
    subs: Math.round(num('subs', 1000, 1)),
    channels: Math.round(num('channels', 100, 1)),
    rate: num('rate', 100, 0.1),
    idle: Math.round(num('idle', 5000, 1)),
    members: Math.round(num('members', quick ? 200 : 500, 1)),
    conns: Math.round(num('conns', quick ? 2000 : 20000, 1)),
    messages: Math.round(num('messages', 5, 1)),
    clients: Math.round(num('clients', quick ? 100 : 1000, 2)),
    perConversation: Math.round(num('per-conversation', 4, 2)),
    chatRate: num('chat-rate', 250, 1),
    chatWorkers: Math.round(num('chat-workers', 2, 1)),
    chatSeconds: num('chat-seconds', quick ? 5 : 20, 1),
    chatInterval: num('chat-interval', 2000, 50),
    window: Math.round(num('window', 50, 1)),
    rounds: Math.round(num('rounds', quick ? 1 : 2, 1)),
    size: Math.round(num('size', 64, 24)),
    duration: num('duration', quick ? 1.5 : 5, 0.1),
    warmup: num('warmup', quick ? 0.5 : 1, 0),
    profile: values.profile ?? false,
    json: values.json ?? false,
    results: values.results ?? join(here, 'results'),
    updateDocs: values['update-docs'] ?? false,
  };
}

/** The soft limit on open files (from /proc/self/limits); servers inherit the same. */
function openFileLimit() {
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : Infinity;
  } catch {
    return Infinity;
  }
}

export function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return { cpus: availableParallelism(), model, node: process.version, kernel: release() };
}

async function main() {
  let o;
  try {
    o = parseOptions();
  } catch (err) {
    console.error(`bench: ${err.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (o.help) {
    console.log(HELP);
    return;
  }
  const out = o.json
    ? (s) => process.stderr.write(`${s}\n`)
    : (s) => process.stdout.write(`${s}\n`);
  const log = (s) => process.stderr.write(`${s}\n`);

  // (vi) needs one descriptor per connection in the server: raise the limit for this process and
  // the servers it starts (it re-runs this script under a raised limit when it can).
  if (o.scenarios.includes('connections')) {
    const raised = raiseOpenFileLimit(o.conns + 500, log);
    if (raised !== undefined) process.exit(raised);
    const fit = openFileLimit() - 100;
    if (o.conns > fit) {
      log(
        `bench: the open-file limit (${openFileLimit()}) cannot be raised further here; (vi) runs ${fit} connections instead of ${o.conns}`,
      );
      o.conns = fit;
    }
  }
  // Each connection costs one descriptor here and one in the server; keep well inside the limit.
  const limit = openFileLimit();
  const has = (...ids) => ids.some((id) => o.scenarios.includes(id));
  const need =
    Math.max(
      has('idle') ? o.idle : 0,
      has('latency', 'fanout', 'channels') ? o.subs : 0,
      has('presence') ? o.members : 0,
    ) + 200;
  if (need > limit) {
    const fit = Math.max(1, limit - 200);
    log(
      `bench: open-file limit is ${limit}; capping connection counts at ${fit}. Raise it with \`ulimit -n ${need}\` to run the full scenarios.`,
    );
    o.idle = Math.min(o.idle, fit);
    o.subs = Math.min(o.subs, fit);
    o.members = Math.min(o.members, fit);
  }

  const scenarios = defineScenarios(o);
  const m = machine();
  log(
    `bench: ${m.cpus} CPUs (${m.model}), Node ${m.node}; ${o.quick ? 'quick' : 'full'} run, ${o.client} client`,
  );
  const started = performance.now();
  // A hard stop, so a wedged run cannot hang a terminal or CI job.
  const budgetMs =
    (o.quick ? 4 : 15) * 60_000 +
    o.rounds * 30 * (o.duration + o.warmup + 5) * 1000 +
    (o.scenarios.includes('connections') ? 3 * (60_000 + o.conns * 10) : 0) +
    (o.scenarios.includes('chat') ? 2 * (120_000 + o.clients * 100 + o.chatSeconds * 1000) : 0);
  const guard = setTimeout(() => {
    log('bench: run exceeded its time budget, stopping');
    process.exit(1);
  }, budgetMs);
  guard.unref();

  // Peers installed on first use; a peer that cannot be installed fails its rows, saying why.
  const peerProblems = new Map();
  const used = new Set(
    o.scenarios.flatMap((id) =>
      !o.serversGiven && scenarios[id].defaultServers ? scenarios[id].defaultServers : o.servers,
    ),
  );
  if ([...used].some((s) => SERVERS[s].peer === 'soketi'))
    peerProblems.set('soketi', ensureSoketi(log));

  const results = [];
  for (const id of o.scenarios) {
    const sc = scenarios[id];
    log(`\n${sc.title}`);
    // Servers take turns within each round, so that a burst of outside load on this shared
    // machine hits one run of each rather than every run of one; each row keeps its best round.
    const servers = !o.serversGiven && sc.defaultServers ? sc.defaultServers : o.servers;
    // (vi) and (vii) are long and their figures steady: one round.
    const rounds = sc.kind === 'connections' || sc.kind === 'chat' ? 1 : o.rounds;
    for (let round = 1; round <= rounds; round++) {
      for (const serverId of servers) {
        if (sc.switchboardOnly && !SERVERS[serverId].switchboard) continue;
        if (SERVERS[serverId].scenarios && !SERVERS[serverId].scenarios.includes(id)) continue;
        const label = SERVERS[serverId].label;
        const progress = (s) => log(`  ${rounds > 1 ? `[${round}/${rounds}] ` : ''}${label}: ${s}`);
        let server;
        const row = { scenario: id, server: serverId, label, round };
        try {
          const problem = peerProblems.get(SERVERS[serverId].peer);
          if (problem) throw new Error(problem);
          server = await startServer(
            serverId,
            o.profile ? { profileDir: join(here, 'results', 'profiles', id) } : {},
          );
          const run = {
            fanout: runFanout,
            idle: runIdle,
            presence: runPresence,
            connections: runConnections,
            chat: runChat,
          }[sc.kind];
          Object.assign(row, await run(server, sc, o, progress));
          if (row.errors) progress(`${row.errors} protocol errors (last: ${row.lastError})`);
        } catch (err) {
          row.failed = err instanceof Error ? err.message : String(err);
          progress(`FAILED: ${row.failed}`);
        } finally {
          await server?.stop();
        }
        results.push(row);
        if (!row.failed) progress(summaryLine(sc, row));
      }
    }
  }
  clearTimeout(guard);
  const elapsed = (performance.now() - started) / 1000;
  const best = bestRows(scenarios, results);
  const report = renderReport(scenarios, o, best);
  let targets = targetSummary(best);
  if (targets && o.client === 'official') {
    targets +=
      '\nWith --client official the load side runs ably-js and socket.io-client, whose own CPU ' +
      'cost is then most of what is measured; the targets are meant for the raw client.\n';
  }
  out(`\n${report}\n${targets}`);
  log(`bench: done in ${elapsed.toFixed(0)} s`);

  const record = {
    date: new Date().toISOString(),
    machine: m,
    options: o,
    elapsedSeconds: elapsed,
    results: best,
    allRounds: results,
  };
  if (o.results !== 'none') {
    mkdirSync(o.results, { recursive: true });
    writeFileSync(join(o.results, 'latest.json'), `${JSON.stringify(record, null, 2)}\n`);
    writeFileSync(join(o.results, 'latest.md'), `${report}\n${targets}\n`);
  }
  if (o.updateDocs) updateDocs(record, report, targets);
  if (o.json) process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** Per scenario and server, the best of the rounds: noise on a shared machine only ever slows. */
function bestRows(scenarios, results) {
  const best = new Map();
  for (const row of results) {
    const sc = scenarios[row.scenario];
    const key = `${row.scenario}/${row.server}`;
    const prev = best.get(key);
    const score = (r) => {
      if (r.failed) return -Infinity;
      if (sc.kind === 'idle') return -r.rssPerConn;
      if (sc.kind === 'presence') return r.ops;
      if (sc.kind === 'connections' || sc.kind === 'chat') return 0;
      return sc.rate > 0 ? -r.p99 : r.delivered;
    };
    if (!prev || score(row) > score(prev)) best.set(key, row);
  }
  return [...best.values()];
}

function summaryLine(sc, row) {
  if (sc.kind === 'connections')
    return `${Math.round(row.setup)} conn/s, ${row.rssPerConn.toFixed(1)} KiB RSS per connection, one message to all in ${row.toAllMedian.toFixed(0)} ms (median of ${row.messages})`;
  if (sc.kind === 'chat')
    return `CONNECTED p95 ${row.connectP95.toFixed(0)} ms, message p95 ${row.messageP95.toFixed(0)} ms, typing p95 ${row.typingP95.toFixed(0)} ms, ${row.received}/${row.expected} received`;
  if (sc.kind === 'idle')
    return `${row.rssPerConn.toFixed(1)} KiB RSS per connection, ${Math.round(row.setup)} conn/s`;
  const lat = `p50 ${row.p50.toFixed(2)} / p99 ${row.p99.toFixed(2)} ms`;
  if (sc.kind === 'presence')
    return `${Math.round(row.ops)} ops/s, ${Math.round(row.delivered)} deliveries/s, ${lat}`;
  return `${Math.round(row.delivered)} deliveries/s, ${lat}, server CPU ${Math.round(row.serverCpu)}%, client CPU ${Math.round(row.clientCpu)}%`;
}

/**
 * Rewrites the results block of docs/performance.md: `bench:` for runs of (i)–(v), and blocks of
 * their own for a run of (vi) or (vii) alone, which are run separately (they take minutes).
 */
function updateDocs(record, report, targets) {
  const file = join(root, 'docs', 'performance.md');
  if (!existsSync(file)) throw new Error('docs/performance.md is missing');
  const text = readFileSync(file, 'utf8');
  const o = record.options;
  const only = o.scenarios.length === 1 ? o.scenarios[0] : '';
  const name = only === 'connections' || only === 'chat' ? `bench-${only}` : 'bench';
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a)
    throw new Error(`docs/performance.md has no ${name}:begin/${name}:end markers`);
  const m = record.machine;
  // The command that reproduces the figures: without the options that only say where they go.
  const args = process.argv
    .slice(2)
    .filter(
      (arg, i, all) =>
        arg !== '--update-docs' &&
        arg !== '--json' &&
        !arg.startsWith('--results') &&
        all[i - 1] !== '--results',
    );
  const command = `\`npm run bench -- ${args.join(' ')}\``;
  const how =
    name === 'bench'
      ? `${o.quick ? '`--quick`' : 'full'} run, ${o.client} client, ${o.duration} s measured per row after ${o.warmup} s warm-up, ` +
        `window ${o.window}, ${o.size}-character payloads`
      : `${command}`;
  const load = loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');
  const body = [
    `Run ${record.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpus} CPUs (${m.model}), Node ${m.node}, Linux ${m.kernel}; ` +
      `${how}; took ${Math.round(record.elapsedSeconds)} s; load average at the end ${load}.`,
    '',
    report,
    targets,
  ].join('\n');
  writeFileSync(file, `${text.slice(0, a + begin.length)}\n${body}\n${text.slice(b)}`);
}

main().catch((err) => {
  console.error(`bench: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
