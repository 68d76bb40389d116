#!/usr/bin/env node
// Soak run: a Switchboard child process under steady load and churn for a long time, its memory
// read every minute, then a verdict on loss, errors and memory growth. Exit code 1 on a violation.
import { parseArgs } from 'node:util';
import { runSoak } from '@switchboard/testkit/soak';

const HELP = `Switchboard soak run — hours of churn, then a memory, loss and error verdict

Usage: npm run soak -- [options]        (or: node scripts/soak.mjs [options] after npm run build)

The server runs as a child process (the CLI, development mode, SQLite store). Against it, all
at once for the whole run:
  - a realtime publisher at a steady pace on one channel, and three subscribers to it: one with
    a key (msgpack), one renewing 10 s tokens in band when the server asks (JSON), one whose 4 s
    tokens simply expire and are renewed on reconnect (msgpack);
  - connection churn: short-lived official clients that attach, maybe enter presence and close,
    and raw ones that enter presence and drop their socket without a word;
  - presence churn: long-lived members entering and leaving at random;
  - slow consumers: a connection stops reading while ~12 MB is published to its channel and
    must be cut by the outbound limit (DISCONNECTED 80003), one round after another.
The server's RSS and heap (after a full GC) are read every minute and printed.

Verdict: the server stayed up and logged no error; every ACKed message reached every steady
subscriber once and in order; no publish, presence operation or churned connection failed;
every slow consumer was cut; presence converged; and RSS and heap grew less than 10 % from the
end of warm-up to the end (medians of three readings each). Memory is judged only with at least
--judge-minutes of readings after warm-up; a shorter run says so and judges the rest.

Options:
  --minutes <n>         Length of the load phase (default 60)
  --warmup <n>          Minutes of warm-up (default 5, or a fifth of a shorter run)
  --judge-minutes <n>   Steady minutes needed to judge memory (default 5)
  --sample <s>          Seconds between memory readings (default 60, less on short runs)
  --rate <n>            Steady publisher's messages/s (default 20)
  --churn <n>           Short-lived connections per second (default 4)
  --members <n>         Long-lived presence members (default 6)
  --seed <n>            Seed of every random choice (default: from the clock)
  --heap-snapshots <dir> Write server heap snapshots there at the end of warm-up and at the end
                        (open both in Chrome DevTools' Memory tab and compare)
  --json                Print the report as JSON on stdout
  -h, --help            This help
`;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    warmup: { type: 'string' },
    'judge-minutes': { type: 'string', default: '5' },
    sample: { type: 'string' },
    rate: { type: 'string', default: '20' },
    churn: { type: 'string', default: '4' },
    members: { type: 'string', default: '6' },
    seed: { type: 'string' },
    'heap-snapshots': { type: 'string' },
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
const optional = (name) => (values[name] === undefined ? undefined : number(name));

const log = (line) => process.stderr.write(`${line}\n`);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const seed = optional('seed') ?? Date.now() % 1_000_000;
log(`soak: seed ${seed}, ${number('minutes')} min`);
log('  time  phase      rss        heap      acked  churned  presence  renewals  slow-cut  errors');
const report = await runSoak({
  minutes: number('minutes'),
  warmupMinutes: optional('warmup'),
  minJudgedMinutes: number('judge-minutes'),
  sampleEverySeconds: optional('sample'),
  publishRate: number('rate'),
  churnPerSecond: number('churn'),
  members: number('members'),
  seed,
  heapSnapshotDir: values['heap-snapshots'],
  onSample: (s, p) =>
    log(
      `  ${(s.atMs / 60_000).toFixed(1).padStart(5)}m ${s.phase.padEnd(8)}` +
        `${mb(s.rss).padStart(9)}  ${mb(s.heapUsed).padStart(9)}` +
        `${String(p.acked).padStart(9)}${String(p.churn.opened).padStart(9)}` +
        `${String(p.presenceOps).padStart(10)}${String(p.tokenRenewals).padStart(10)}` +
        `${String(p.slowConsumersCut).padStart(10)}${String(p.errors).padStart(8)}`,
    ),
});
log(render(report));
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
log(report.violations.length === 0 ? 'verdict: PASS' : 'verdict: FAIL');
process.exit(report.violations.length === 0 ? 0 : 1);

/** A report as the lines a person reads. */
function render(r) {
  const lines = [];
  const p = r.progress;
  const m = r.memory;
  const mem = (s) => (s ? `RSS ${mb(s.rss)}, heap ${mb(s.heapUsed)}` : '-');
  lines.push(`seed ${r.seed} in ${(r.elapsedMs / 60_000).toFixed(1)} min`);
  lines.push(
    `steady: ${p.acked} ACKed; ` +
      r.subscribers
        .map(
          (s) =>
            `${s.name} ${s.delivered} delivered, ${s.missing} missing, ${s.duplicated} duplicated, ` +
            `${s.outOfOrder} out of order`,
        )
        .join('; '),
  );
  lines.push(
    `churn: ${p.churn.opened} connections (${p.churn.closed} closed, ${p.churn.dropped} dropped), ` +
      `${p.churn.presenceEntered} presence enters; members: ${p.presenceOps} enters/leaves; ` +
      `token renewals: ${p.tokenRenewals}; slow consumers cut: ${p.slowConsumersCut}`,
  );
  lines.push(
    `presence: expected [${r.presence.expected.join(', ')}], seen [${r.presence.seen.join(', ')}]`,
  );
  lines.push(
    `memory: start ${mem(m.start)}; after warm-up ${mem(m.afterWarmup)}; end ${mem(m.end)}; ` +
      `peak RSS ${m.peak ? mb(m.peak.rss) : '-'}`,
  );
  lines.push(
    m.judged
      ? `memory growth after warm-up: RSS ${(m.rssGrowth * 100).toFixed(1)}%, heap ` +
          `${(m.heapGrowth * 100).toFixed(1)}% (limit 10%; ${m.note})`
      : m.note,
  );
  lines.push(
    `server: ${r.server.alive ? 'up' : 'DIED'}; logged ${r.server.logged.warn} warnings, ` +
      `${r.server.logged.error} errors, ${r.server.logged.fatal} fatal`,
  );
  for (const e of r.server.problems.slice(0, 5)) lines.push(`  ${e}`);
  lines.push(`client errors: ${p.errors}`);
  for (const e of r.errors.slice(0, 10)) lines.push(`  ${e}`);
  lines.push(
    r.violations.length === 0 ? 'violations: none' : `violations:\n  ${r.violations.join('\n  ')}`,
  );
  return lines.join('\n');
}
