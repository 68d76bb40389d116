#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): the functions with the most
// self time, and the most inclusive time, with file:line.
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 25] [--filter text] [--callers name]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string' },
    filter: { type: 'string' },
    callers: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || positionals.length !== 1) {
  console.log(
    'Usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 25] [--filter text] [--callers name]',
  );
  process.exit(values.help ? 0 : 2);
}
const top = Number(values.top ?? 25);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the sample timeline.
const self = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  total += dt;
}

const short = (url) =>
  url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|packages|bench)\//, '$1/');
const keyOf = (n) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url ? `${short(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
};

const selfBy = new Map();
const inclBy = new Map();
for (const [id, t] of self) {
  const n = nodes.get(id);
  selfBy.set(keyOf(n), (selfBy.get(keyOf(n)) ?? 0) + t);
  // Inclusive: count each distinct function once per stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(nodes.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    inclBy.set(k, (inclBy.get(k) ?? 0) + t);
  }
}

const show = (title, map) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  const rows = [...map]
    .filter(([k]) => !values.filter || k.includes(values.filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  for (const [k, t] of rows)
    console.log(
      `${((100 * t) / total).toFixed(1).padStart(6)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    );
};
show('Self time', selfBy);
show('Inclusive time', inclBy);

// Who calls a function: its self time split by calling function (two frames up for context).
if (values.callers) {
  const by = new Map();
  for (const [id, t] of self) {
    const n = nodes.get(id);
    if (!keyOf(n).startsWith(values.callers)) continue;
    const p1 = parent.get(id);
    const p2 = p1 === undefined ? undefined : parent.get(p1);
    const k = [p1, p2].map((p) => (p === undefined ? '' : keyOf(nodes.get(p)))).join('  <  ');
    by.set(k, (by.get(k) ?? 0) + t);
  }
  show(`Callers of ${values.callers} (self time)`, by);
}
