// Tables (Markdown, aligned so they also read well in a terminal) and the target check.
import { SERVERS } from './servers.mjs';
import { CHAT_TARGETS } from './chat.mjs';

const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fixed = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const ratio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');
const pct = (n) => (Number.isFinite(n) ? `${Math.round(n)}%` : '–');

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

function failedRow(r, width) {
  return [r.label, `failed: ${r.failed}`, ...Array(width - 2).fill('')];
}

/** One table per scenario, one row per server, ratios against raw ws (a) of the same run. */
export function renderReport(scenarios, o, results) {
  const parts = [];
  for (const id of o.scenarios) {
    const sc = scenarios[id];
    const rows = results.filter((r) => r.scenario === id);
    if (rows.length === 0) continue;
    const base = rows.find((r) => r.server === 'ws' && !r.failed);
    let header;
    let body;
    if (sc.kind === 'fanout') {
      header = [
        'server',
        'delivered msg/s',
        '× ws',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'p99 × ws',
        'msgs/frame',
        'conn/s',
        'server CPU',
        'server µs/msg',
        'client CPU',
      ];
      body = rows.map((r) =>
        r.failed
          ? failedRow(r, header.length)
          : [
              r.label,
              int(r.delivered),
              ratio(base ? r.delivered / base.delivered : NaN),
              fixed(r.p50),
              fixed(r.p95),
              fixed(r.p99),
              ratio(base ? r.p99 / base.p99 : NaN),
              fixed(r.perFrame, 1),
              int(r.setup),
              pct(r.serverCpu),
              fixed(r.serverUsPer),
              pct(r.clientCpu),
            ],
      );
    } else if (sc.kind === 'connections') {
      header = [
        'server',
        'connections',
        'conn/s',
        'server CPU (setup)',
        'RSS/conn KiB',
        '× ws',
        'heap+ext/conn KiB',
        'RSS after MiB',
        'one message to all, ms (median)',
        'slowest',
        'delivery p50 ms',
        'p99 ms',
        'load side RSS/conn KiB',
      ];
      body = rows.map((r) =>
        r.failed
          ? failedRow(r, header.length)
          : [
              r.label,
              int(r.conns),
              int(r.setup),
              pct(r.setupCpu),
              fixed(r.rssPerConn, 1),
              ratio(base ? r.rssPerConn / base.rssPerConn : NaN),
              fixed(r.heapPerConn, 1),
              fixed(r.rssAfter, 0),
              fixed(r.toAllMedian, 0),
              fixed(r.toAllMax, 0),
              fixed(r.p50, 1),
              fixed(r.p99, 1),
              fixed(r.loadRssPerConn, 1),
            ],
      );
    } else if (sc.kind === 'chat') {
      const verdict = (value, limit) =>
        `${fixed(value, 0)} ${Number.isFinite(value) && value < limit ? 'met' : 'MISSED'}`;
      header = [
        'server',
        'clients',
        'CONNECTED p50 ms',
        `p95 (< ${CHAT_TARGETS.connect})`,
        'message p50 ms',
        `p95 (< ${CHAT_TARGETS.message})`,
        'p99',
        'typing p50 ms',
        `p95 (< ${CHAT_TARGETS.typing})`,
        'p99',
        'received / expected',
        'server CPU',
        'load side RSS/client KiB',
      ];
      body = rows.map((r) =>
        r.failed
          ? failedRow(r, header.length)
          : [
              r.label,
              int(r.clients),
              fixed(r.connectP50, 0),
              verdict(r.connectP95, CHAT_TARGETS.connect),
              fixed(r.messageP50, 1),
              verdict(r.messageP95, CHAT_TARGETS.message),
              fixed(r.messageP99, 1),
              fixed(r.typingP50, 1),
              verdict(r.typingP95, CHAT_TARGETS.typing),
              fixed(r.typingP99, 1),
              `${int(r.received)} / ${int(r.expected)}`,
              pct(r.serverCpu),
              int(r.loadRssPerClient),
            ],
      );
    } else if (sc.kind === 'idle') {
      header = [
        'server',
        'connections',
        'RSS/conn KiB',
        '× ws',
        'heap+ext/conn KiB',
        'RSS before → after MiB',
        'conn/s',
        'server CPU (setup)',
      ];
      body = rows.map((r) =>
        r.failed
          ? failedRow(r, header.length)
          : [
              r.label,
              int(r.conns),
              fixed(r.rssPerConn, 1),
              ratio(base ? r.rssPerConn / base.rssPerConn : NaN),
              fixed(r.heapPerConn, 1),
              `${fixed(r.rssBefore, 0)} → ${fixed(r.rssAfter, 0)}`,
              int(r.setup),
              pct(r.setupCpu),
            ],
      );
    } else {
      header = [
        'server',
        'presence ops/s',
        'delivered events/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'conn/s',
        'server CPU',
        'client CPU',
      ];
      body = rows.map((r) =>
        r.failed
          ? failedRow(r, header.length)
          : [
              r.label,
              int(r.ops),
              int(r.delivered),
              fixed(r.p50),
              fixed(r.p95),
              fixed(r.p99),
              int(r.setup),
              pct(r.serverCpu),
              pct(r.clientCpu),
            ],
      );
    }
    parts.push(`### ${sc.title}\n\n${table(header, body)}\n`);
  }
  const persistence = persistenceTable(results);
  if (persistence) parts.push(persistence);
  return parts.join('\n');
}

/**
 * Persisted Switchboard against the same server unpersisted, in (iii) of this run. SQLite grows
 * in both: every publish is also written behind to the audit log (events_log).
 */
function persistenceTable(results) {
  const get = (server) =>
    results.find((r) => r.scenario === 'channels' && r.server === server && !r.failed);
  const both = (u, p, field, format) => `${format(u?.[field])} → ${format(p?.[field])}`;
  const body = [];
  for (const [id, spec] of Object.entries(SERVERS)) {
    if (!spec.persisted) continue;
    const p = get(id);
    const u = get(spec.unpersisted);
    if (!p && !u) continue;
    body.push([
      spec.format,
      int(u?.delivered),
      int(p?.delivered),
      ratio(p && u ? p.delivered / u.delivered : NaN),
      int(u?.published),
      int(p?.published),
      ratio(p && u ? p.published / u.published : NaN),
      both(u, p, 'p99', fixed),
      both(u, p, 'serverUsPer', fixed),
      both(u, p, 'storeMiB', (n) => fixed(n, 1)),
    ]);
  }
  if (body.length === 0) return '';
  const header = [
    'wire format',
    'unpersisted delivered msg/s',
    'persisted delivered msg/s',
    '×',
    'unpersisted publishes/s',
    'persisted publishes/s',
    '×',
    'p99 ms',
    'server µs/msg',
    'SQLite growth MiB',
  ];
  const note =
    'The last three columns are unpersisted → persisted; SQLite grows in both, as every publish ' +
    'is also written behind to the audit log.';
  return `### Persistence: persisted vs unpersisted, scenario (iii)\n\n${table(header, body)}\n\n${note}\n`;
}

/** The issue's targets, as ratios of this run. */
export function targetSummary(results) {
  const get = (scenario, server) =>
    results.find((r) => r.scenario === scenario && r.server === server && !r.failed);
  const checks = [];
  // `num` and `den` are server ids, 'sb' for the Switchboard of the column (sb-json, sb-msgpack),
  // or functions of that Switchboard's id.
  const server = (x, sb) => (typeof x === 'function' ? x(sb) : x === 'sb' ? sb : x);
  const add = (name, scenario, num, den, field, limit, atLeast) => {
    const cells = [name];
    let any = false;
    for (const sb of ['sb-json', 'sb-msgpack']) {
      const a = get(scenario, server(num, sb));
      const b = get(scenario, server(den, sb));
      if (!a || !b) {
        cells.push('–');
        continue;
      }
      any = true;
      const r = a[field] / b[field];
      cells.push(`${r.toFixed(2)}× ${(atLeast ? r >= limit : r <= limit) ? 'met' : 'MISSED'}`);
    }
    if (any) checks.push(cells);
  };
  add('(ii) delivered ≥ 0.8× ws corked (b)', 'fanout', 'sb', 'ws-cork', 'delivered', 0.8, true);
  add('(ii) delivered ≥ 4× socket.io', 'fanout', 'sb', 'socketio', 'delivered', 4, true);
  add('(iii) delivered ≥ 0.8× ws corked (b)', 'channels', 'sb', 'ws-cork', 'delivered', 0.8, true);
  add('(iii) delivered ≥ 4× socket.io', 'channels', 'sb', 'socketio', 'delivered', 4, true);
  add('(i) p99 ≤ 1.2× ws corked (b)', 'latency', 'sb', 'ws-cork', 'p99', 1.2, false);
  add('(ii) delivered ≥ 1.0× Soketi (d)', 'fanout', 'sb', 'soketi', 'delivered', 1, true);
  add('(iii) delivered ≥ 1.0× Soketi (d)', 'channels', 'sb', 'soketi', 'delivered', 1, true);
  add('(i) p99 ≤ 1.0× Soketi (d)', 'latency', 'sb', 'soketi', 'p99', 1, false);
  add('(iv) RSS/conn ≤ 1.0× raw ws (a)', 'idle', 'sb', 'ws', 'rssPerConn', 1, false);
  const persisted = (sb) => `${sb}-persisted`;
  add('(iii) persisted ≥ 0.7× unpersisted', 'channels', persisted, 'sb', 'delivered', 0.7, true);
  if (checks.length === 0) return '';
  return `### Targets (Switchboard against the baselines of this run)\n\n${table(['target', 'json', 'msgpack'], checks)}\n`;
}
