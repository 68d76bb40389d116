#!/usr/bin/env node
// Chaos run: a Switchboard behind a proxy that keeps breaking sockets, with official-client
// publishers, subscribers and presence members going through it, then a check that nothing the
// server ACKed was lost, duplicated or reordered. Exit code 1 on any violation.
import { parseArgs } from 'node:util';
import { runChaos, runClusterChaos } from '@switchboard/testkit/chaos';

const HELP = `Switchboard chaos run — faults on real sockets, then a loss/duplicate/order verdict

Usage: npm run chaos -- [options]       (or: node scripts/chaos.mjs [options] after npm run build)

A server (in this process) sits behind a TCP proxy that, at random, resets client sockets,
half-closes one direction, or black-holes the server's bytes and then drops the socket. Through
it: four realtime publishers (msgpack and JSON, two of them over the server's inbound rate limit
so part of their publishes are NACKed 42910), one msgpack and one JSON subscriber, and presence
members entering and leaving; one REST publisher goes direct. Every publish carries an id.

Options:
  --cuts <n>            Faults to inject in total (default 1000)
  --cuts-per-second <n> Pace of the faults; the run lasts cuts / this (default 10)
  --seed <n>            Seed of every random choice, to replay a run (default: from the clock)
  --seeds <n>           Run this many consecutive seeds from --seed (default 1)
  --rate-limit <n>      The server's maxInboundRate, messages/s per connection (default 40)
  --under-limit         Keep every publisher under the rate limit (no 42910 NACKs)
  --members <n>         Presence members (default 4)
  --settle <s>          Longest wait for quiescence after the faults (default 30)
  --json                Print the reports as JSON on stdout
  -h, --help            This help

Cluster mode: npm run chaos -- --cluster [options]

Three nodes in child processes on a redis-server of the run's own (ephemeral port, append-only
file fsynced on every write; never the machine's Redis), one key prefix. Every official client
reaches its node through a TCP proxy of its own, which a fault can point at another node. At
random, with the seed: SIGKILL a node and start it again under the same node id (kill) or a new
one (kill-new-id); SIGTERM a node, a graceful drain, and start it again (drain); drop a client's
socket (cut); move a client to another node (retarget); restart Redis, down 0.5-3 s
(redis-restart). At most one node is down at a time. Load: four realtime publishers (msgpack and
JSON) on other nodes than the two subscribers, a REST publisher, presence members. Verdict:
every ACKed publish reached every subscriber once and in order; a publish NACKed with 50002
(Redis down) may arrive or not, never twice; presence settles to the members really there; every
client ends connected; no node exits unasked. The summary counts faults by kind, publishes
ACKed and failed by code, and per subscriber delivered, missing, duplicated and out of order.

  --cluster             Run the cluster mode
  --faults <n>          Faults in total, about 40 % of them node faults (default 60)
  --faults-per-second <n>  Pace of the faults (default 1)
  --nodes <n>           Nodes in the cluster (default 3)
  --persisted           The messages channel is in a persisted namespace, stored in a fresh
                        PostgreSQL schema (127.0.0.1:5432 or SWITCHBOARD_TEST_DATABASE_URL)
  --seed, --seeds, --members, --settle (default 45), --json as above
`;

const { values } = parseArgs({
  options: {
    cuts: { type: 'string', default: '1000' },
    'cuts-per-second': { type: 'string', default: '10' },
    seed: { type: 'string' },
    seeds: { type: 'string', default: '1' },
    'rate-limit': { type: 'string', default: '40' },
    'under-limit': { type: 'boolean', default: false },
    members: { type: 'string', default: '4' },
    settle: { type: 'string' },
    json: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
    faults: { type: 'string', default: '60' },
    'faults-per-second': { type: 'string', default: '1' },
    nodes: { type: 'string', default: '3' },
    persisted: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const number = (name) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number, got ${values[name]}`);
    process.exit(2);
  }
  return n;
};

const log = (line) => process.stderr.write(`${line}\n`);
const firstSeed = values.seed === undefined ? Date.now() % 1_000_000 : number('seed');
const reports = [];
if (values.cluster) await runClusterMode();
else await runSingleNodeMode();
if (values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
const bad = reports.filter((r) => r.violations.length > 0).length;
log(
  bad === 0
    ? `verdict: PASS (${reports.length} run(s))`
    : `verdict: FAIL (${bad} of ${reports.length} runs)`,
);
process.exit(bad === 0 ? 0 : 1);

/** Cluster mode: nodes killed, drained and restarted, clients moved, Redis restarted. */
async function runClusterMode() {
  const settle = values.settle === undefined ? 45 : number('settle');
  for (let i = 0; i < number('seeds'); i++) {
    const seed = firstSeed + i;
    log(
      `cluster chaos: seed ${seed}, ${number('faults')} faults at ${number('faults-per-second')}/s` +
        `${values.persisted ? ', persisted' : ''}`,
    );
    const report = await runClusterChaos({
      faults: number('faults'),
      faultsPerSecond: number('faults-per-second'),
      nodes: number('nodes'),
      seed,
      persisted: values.persisted,
      members: number('members'),
      settleMs: settle * 1000,
      onProgress: (p) =>
        log(
          `  ${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s ${p.phase.padEnd(8)} [${p.nodes}] ` +
            `faults ${Object.entries(p.faults)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')}  acked ${p.acked}  failed ${p.failed}  delivered ` +
            Object.values(p.delivered).join('/'),
        ),
    });
    reports.push(report);
    log(render(report));
  }
}

/** Single-node mode: one server in this process behind a socket-breaking proxy. */
async function runSingleNodeMode() {
  for (let i = 0; i < number('seeds'); i++) {
    const seed = firstSeed + i;
    log(`chaos: seed ${seed}, ${number('cuts')} cuts at ${number('cuts-per-second')}/s`);
    const report = await runChaos({
      cuts: number('cuts'),
      cutsPerSecond: number('cuts-per-second'),
      seed,
      maxInboundRate: number('rate-limit'),
      overRate: !values['under-limit'],
      members: number('members'),
      settleMs: (values.settle === undefined ? 30 : number('settle')) * 1000,
      onProgress: (p) =>
        log(
          `  ${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s ${p.phase.padEnd(8)} faults ${p.faults}` +
            `  acked ${p.acked}  failed ${p.failed}  delivered ` +
            Object.entries(p.delivered)
              .map(([k, v]) => `${k} ${v}`)
              .join(', '),
        ),
    });
    reports.push(report);
    log(render(report));
  }
}

/** Milliseconds as seconds with one decimal. */
function secs(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A report as the lines a person reads. */
function render(r) {
  const lines = [];
  const f = r.faults;
  if (r.nodeIds)
    lines.push(
      `seed ${r.seed} in ${(r.elapsedMs / 1000).toFixed(1)}s${r.persisted ? ' (persisted)' : ''}: ` +
        `${f.total} faults, ${f.node} on nodes (` +
        Object.entries(f)
          .filter(([k]) => k !== 'total' && k !== 'node')
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') +
        `); nodes started: ${r.nodeIds.join(' ')}; chaos ${secs(r.timings.chaosMs)}, ` +
        `all delivered after ${secs(r.timings.deliveredMs)}, presence after ${secs(r.timings.presenceMs)}`,
    );
  else
    lines.push(
      `seed ${r.seed} in ${(r.elapsedMs / 1000).toFixed(1)}s: ${f.total} faults ` +
        `(reset ${f.reset}, half-close ${f['half-close']}, blackhole ${f.blackhole}); ` +
        `chaos ${secs(r.timings.chaosMs)}, all delivered after ${secs(r.timings.deliveredMs)}, ` +
        `presence after ${secs(r.timings.presenceMs)}`,
    );
  lines.push('publishes   attempted    acked  failed (by code)');
  for (const [kind, c] of Object.entries(r.publishes)) {
    const failed = Object.entries(c.failed)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    lines.push(
      `  ${kind.padEnd(14)}${String(c.attempted).padStart(7)}${String(c.acked).padStart(9)}  ${failed || '-'}`,
    );
  }
  lines.push(`  ACKed ids in total: ${r.acked}`);
  lines.push(
    'subscriber     delivered  missing  duplicated  out-of-order  nacked-delivered  discontinuities',
  );
  for (const s of r.subscribers) {
    lines.push(
      `  ${s.name.padEnd(12)}${String(s.delivered).padStart(10)}${String(s.missing).padStart(9)}` +
        `${String(s.duplicated).padStart(12)}${String(s.outOfOrder).padStart(14)}` +
        `${String(s.deliveredNacked).padStart(18)}${String(s.discontinuities).padStart(17)}`,
    );
    if (s.missing > 0) lines.push(`    missing e.g. ${s.missingSample.join(', ')}`);
    if (s.outOfOrder > 0) lines.push(`    out of order e.g. ${s.outOfOrderSample.join(', ')}`);
    if (s.deliveredNacked > 0)
      lines.push(`    NACKed yet delivered e.g. ${s.deliveredNackedSample.join(', ')}`);
  }
  lines.push(`presence: expected [${r.presence.expected.join(', ')}]`);
  for (const p of r.presence.seen)
    lines.push(`  ${p.name}: [${p.members.join(', ')}] ${p.converged ? 'converged' : 'DIVERGED'}`);
  lines.push(
    `failed resumes (new connection ids): ${r.clients.map((c) => `${c.name} ${c.newConnections}`).join(', ')}`,
  );
  const down = r.clients.filter((c) => c.state !== 'connected');
  lines.push(
    down.length === 0
      ? `clients: all ${r.clients.length} connected (${r.clients.map((c) => `${c.name}@${c.connectionId}`).join(' ')})`
      : `clients: ${down.map((c) => `${c.name} ${c.state}`).join(', ')}`,
  );
  for (const c of r.crashes ?? []) lines.push(`crash: ${c}`);
  // A failed cluster run shows what happened when, to line the violations up with the faults.
  if (r.events && r.violations.length > 0) lines.push('events:', ...r.events.map((e) => `  ${e}`));
  lines.push(
    r.violations.length === 0 ? 'violations: none' : `violations:\n  ${r.violations.join('\n  ')}`,
  );
  return lines.join('\n');
}
