#!/usr/bin/env node
// Fuzz run: hostile frames and requests against a Switchboard child process while an official
// client pair runs beside them; then a verdict on crashes, internal errors, loss and memory.
// Exit code 1 on any violation.
import { parseArgs } from 'node:util';
import { runFuzz } from '@switchboard/testkit/fuzz';

const HELP = `Switchboard fuzz run — hostile input, then a crash, loss and memory verdict

Usage: npm run fuzz -- [options]        (or: node scripts/fuzz.mjs [options] after npm run build)

The server runs as a child process (the CLI, development mode, SQLite store, rate limits lifted
so input reaches the parsers). Against it, all at once:
  - raw WebSocket connections, half JSON and half msgpack, each sending valid ProtocolMessages
    (attach, detach, publish, presence, sync, auth, annotations, objects, heartbeats) with one
    to three mutations each: wrong types, extremes, huge strings and arrays, nesting up to
    200,000 deep, bad encodings and payloads, unknown actions and flags, bad channel names,
    bad msgSerials; and now and then bytes that are no ProtocolMessage at all (truncated,
    random, msgpack as text, JSON as binary). After every 10 frames a heartbeat checks the
    server handled them and no answer carried an internal error (5xxxx);
  - authenticated REST requests with hostile bodies (publish, batch, token requests, message
    updates, stats, devices; JSON and msgpack) and query strings (history, presence, stats,
    channels, versions): no 5xx;
  - the raw HTTP and upgrade requests of test/e2e/http-fuzz.test.ts: no 5xx;
  - an official ably publisher (msgpack) and subscriber (JSON) on their own channel.
The server's memory (RSS, and heap after a full GC) is read every 5 s.

Verdict: the process never exited; no input got an internal error or an error log line; the
good subscriber got every ACKed message once and in order; and the heap after the run is within
25 % (or 32 MB) of the heap halfway (a leak that grows with input fails that).

Options:
  --frames <n>    Inputs to send, all kinds together (default 100000)
  --sockets <n>   Concurrent raw WebSocket fuzzers (default 4)
  --seed <n>      Seed of every random choice, to replay a run (default: from the clock)
  --json          Print the report as JSON on stdout
  -h, --help      This help
`;

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '100000' },
    sockets: { type: 'string', default: '4' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
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
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const seed = values.seed === undefined ? Date.now() % 1_000_000 : number('seed');
log(`fuzz: seed ${seed}, ${number('frames')} inputs`);
const report = await runFuzz({
  frames: number('frames'),
  sockets: number('sockets'),
  seed,
  onFinding: (f) =>
    log(
      `  FINDING [${f.kind}] ${f.evidence.slice(0, 400)}\n` +
        f.inputs.map((i) => `      ${i.slice(0, 200)}`).join('\n'),
    ),
  onProgress: (p) =>
    log(
      `  ${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s sent ${String(p.total).padStart(7)} ` +
        `(${Object.entries(p.sent)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})  connections ${p.connections}  findings ${p.findings}  ` +
        `good ${p.goodDelivered}/${p.goodAcked}` +
        (p.memory ? `  rss ${mb(p.memory.rss)} heap ${mb(p.memory.heapUsed)}` : ''),
    ),
});
log(render(report));
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
log(report.violations.length === 0 ? 'verdict: PASS' : 'verdict: FAIL');
process.exit(report.violations.length === 0 ? 0 : 1);

/** A report as the lines a person reads. */
function render(r) {
  const lines = [];
  const m = r.memory;
  const mem = (s) => (s ? `RSS ${mb(s.rss)}, heap ${mb(s.heapUsed)} (at ${s.total} inputs)` : '-');
  lines.push(`seed ${r.seed} in ${(r.elapsedMs / 1000).toFixed(0)}s: ${r.total} inputs`);
  for (const [kind, n] of Object.entries(r.sent)) lines.push(`  ${kind.padEnd(12)}${n}`);
  lines.push(`raw WebSocket connections: ${r.connections}`);
  lines.push(
    `answers: ${Object.entries(r.answers)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}×${n}`)
      .join(' ')}`,
  );
  lines.push(
    `server: ${r.server.alive ? 'up' : 'DIED'}; logged ${r.server.logged.warn} warnings, ` +
      `${r.server.logged.error} errors, ${r.server.logged.fatal} fatal`,
  );
  for (const p of r.server.problems.slice(0, 5)) lines.push(`  ${p}`);
  lines.push(`memory: start ${mem(m.start)}; halfway ${mem(m.half)}; end ${mem(m.end)}`);
  lines.push(
    `  peak RSS ${mb(m.peakRss)}, peak heap ${mb(m.peakHeap)}; ${m.bounded ? 'bounded' : 'GREW'}`,
  );
  const s = r.good.subscriber;
  lines.push(
    `good pair: ${r.good.acked} ACKed` +
      (s
        ? `; delivered ${s.delivered}, missing ${s.missing}, duplicated ${s.duplicated}, ` +
          `out of order ${s.outOfOrder}`
        : ''),
  );
  lines.push(`findings: ${r.findings.length}`);
  for (const f of r.findings.slice(0, 20)) {
    lines.push(`  [${f.kind}] ${f.evidence.slice(0, 300)}`);
    for (const i of f.inputs) lines.push(`      ${i.slice(0, 200)}`);
  }
  lines.push(
    r.violations.length === 0 ? 'violations: none' : `violations:\n  ${r.violations.join('\n  ')}`,
  );
  return lines.join('\n');
}
