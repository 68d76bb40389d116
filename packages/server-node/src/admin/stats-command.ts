import { parseArgs } from 'node:util';
import type { StatsMinuteRecord } from '@switchboard/server';
import { AdminError, COMMON_HELP, COMMON_OPTIONS, type AdminCommand } from './command.js';
import { adminConfig, resolveApp, withStore } from './store-access.js';
import { formatTable } from './table.js';
import { parseTime } from './time.js';

const UNITS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
type Unit = keyof typeof UNITS;
/** How far back each unit looks when --since is not given: a screenful of intervals. */
const DEFAULT_SINCE: Record<Unit, string> = { minute: '1h', hour: '24h', day: '30d' };

const HELP = `Usage: switchboard stats [--app <appId>] [--since <time>] [--until <time>]
                      [--unit minute|hour|day]

The app's message counts per interval, from the per-minute stats the server stores (written
about every 5 seconds while it runs, and on shutdown). Intervals with no activity are left out.

Options:
      --app <appId>     The app (optional when there is only one)
      --since <time>    From this time: ISO 8601, epoch ms, or back from now (10m, 2h, 7d);
                        default 1h (minute), 24h (hour), 30d (day)
      --until <time>    Before this time (same forms)
      --unit <unit>     minute (default), hour or day: minutes are summed into the unit (UTC)

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  app: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  unit: { type: 'string' },
} as const;

/** The columns a table shows; JSON has every entry. */
const COLUMNS = [
  ['IN', 'messages.inbound.all.messages.count'],
  ['IN BYTES', 'messages.inbound.all.messages.data'],
  ['IN REALTIME', 'messages.inbound.realtime.messages.count'],
  ['IN REST', 'messages.inbound.rest.messages.count'],
  ['OUT', 'messages.outbound.all.messages.count'],
] as const;

interface Interval {
  /** `2025-01-01T12:34` (minute), `2025-01-01T12` (hour), `2025-01-01` (day), UTC. */
  intervalId: string;
  start: number;
  unit: Unit;
  entries: Record<string, number>;
}

/** Sums minutes into intervals of `unit` (`.peak` entries keep the maximum, as the server does). */
function intervals(minutes: StatsMinuteRecord[], unit: Unit): Interval[] {
  const byStart = new Map<number, Interval>();
  const idLength = { minute: 16, hour: 13, day: 10 }[unit];
  for (const m of minutes) {
    const start = m.minute - (m.minute % UNITS[unit]);
    let interval = byStart.get(start);
    if (!interval) {
      const intervalId = new Date(start).toISOString().slice(0, idLength);
      byStart.set(start, (interval = { intervalId, start, unit, entries: {} }));
    }
    for (const [key, n] of Object.entries(m.entries)) {
      const was = interval.entries[key] ?? 0;
      interval.entries[key] = key.endsWith('.peak') ? Math.max(was, n) : was + n;
    }
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** `switchboard stats`. */
export const statsCommand: AdminCommand = {
  name: 'stats',
  summary: "an app's message counts per minute, hour or day",
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    if (positionals.length > 0) throw new AdminError(`unexpected argument: ${positionals[0]}`);
    const unit = values.unit ?? 'minute';
    if (!(unit in UNITS)) throw new AdminError('--unit must be minute, hour or day');
    const u = unit as Unit;
    const now = Date.now();
    const since = parseTime(values.since ?? DEFAULT_SINCE[u], now);
    const until = values.until !== undefined ? parseTime(values.until, now) : undefined;
    const config = adminConfig(values['data-dir'], env);
    return withStore(config, 'read', async (store) => {
      const app = await resolveApp(store, values.app);
      const minutes = await store.listStatsMinutes({
        appId: app.id,
        since: since - (since % UNITS[u]),
        ...(until !== undefined ? { until } : {}),
      });
      const rows = intervals(minutes, u);
      return {
        json: rows.map(({ intervalId, unit: rowUnit, entries }) => ({
          intervalId,
          unit: rowUnit,
          appId: app.id,
          entries,
        })),
        text: formatTable(
          ['INTERVAL', ...COLUMNS.map(([title]) => title)],
          rows.map((r) => [r.intervalId, ...COLUMNS.map(([, key]) => String(r.entries[key] ?? 0))]),
        ),
      };
    });
  },
};
