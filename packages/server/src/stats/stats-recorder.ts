import { intervalEnd, intervalId, intervalStart, type StatsUnit } from './interval.js';

/** Flattened stats entries, e.g. `messages.inbound.all.messages.count` (protocol v3+ form). */
export type StatsEntries = Record<string, number>;

/** One interval of an app's statistics as `GET /stats` returns it. */
export interface StatsRecord {
  intervalId: string;
  unit: StatsUnit;
  schema: string;
  appId: string;
  inProgress?: string;
  entries: StatsEntries;
}

/** Which records a query wants. */
export interface StatsQuery {
  start?: number;
  end?: number;
  unit: StatsUnit;
  backwards: boolean;
}

/** Per-app, per-minute counters: the server's own activity plus fixtures posted by tests. */
export interface StatsRecorder {
  /** Adds to counters of the current minute (`.peak` entries keep the maximum). */
  add(appId: string, entries: StatsEntries, at: number): void;
  /** Adds an Ably stats fixture in the nested form (`inbound.realtime.messages.count`). */
  addFixture(appId: string, fixture: Record<string, unknown>): void;
  query(appId: string, q: StatsQuery, now: number): StatsRecord[];
  dropApp(appId: string): void;
}

const SCHEMA = 'https://schemas.ably.com/json/app-stats-0.0.5.json';
const RETAIN_MINUTES = 60 * 24 * 31 * 13;

function merge(target: StatsEntries, entries: StatsEntries): void {
  for (const [key, value] of Object.entries(entries)) {
    target[key] = key.endsWith('.peak')
      ? Math.max(target[key] ?? 0, value)
      : (target[key] ?? 0) + value;
  }
}

function flatten(value: unknown, prefix: string, out: StatsEntries): void {
  if (typeof value === 'number') out[prefix] = value;
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
}

/** Turns a nested fixture into flattened entries, with the `all` totals Ably derives. */
export function flattenFixture(fixture: Record<string, unknown>): StatsEntries {
  const out: StatsEntries = {};
  for (const [key, value] of Object.entries(fixture)) {
    if (key === 'intervalId' || key === 'unit') continue;
    if (key === 'inbound' || key === 'outbound' || key === 'persisted') {
      const direction: StatsEntries = {};
      flatten(value, '', direction);
      for (const [path, n] of Object.entries(direction)) {
        const [transport, ...rest] = path.split('.');
        out[`messages.${key}.${path}`] = n;
        if (transport !== 'all' && key !== 'persisted')
          merge(out, { [`messages.${key}.all.${rest.join('.')}`]: n });
      }
    } else {
      flatten(value, key, out);
    }
  }
  return out;
}

/** Creates an empty in-memory recorder. */
export function createStatsRecorder(): StatsRecorder {
  const apps = new Map<string, Map<number, StatsEntries>>();
  const minutesOf = (appId: string): Map<number, StatsEntries> => {
    let m = apps.get(appId);
    if (!m) apps.set(appId, (m = new Map()));
    return m;
  };
  const addAt = (appId: string, minute: number, entries: StatsEntries): void => {
    const minutes = minutesOf(appId);
    let bucket = minutes.get(minute);
    if (!bucket) {
      minutes.set(minute, (bucket = {}));
      if (minutes.size > RETAIN_MINUTES) minutes.delete(minutes.keys().next().value!);
    }
    merge(bucket, entries);
  };
  return {
    add: (appId, entries, at) => addAt(appId, intervalStart(at, 'minute'), entries),
    addFixture(appId, fixture) {
      const id = String(fixture.intervalId ?? '');
      const m = /^(\d{4})-(\d{2})-(\d{2}):(\d{2}):(\d{2})$/.exec(id);
      if (!m) return;
      const minute = Date.UTC(
        Number(m[1]),
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
      );
      addAt(appId, minute, flattenFixture(fixture));
    },
    query(appId, q, now) {
      const buckets = new Map<number, StatsEntries>();
      for (const [minute, entries] of apps.get(appId) ?? []) {
        const start = intervalStart(minute, q.unit);
        if (q.start !== undefined && start < intervalStart(q.start, q.unit)) continue;
        if (q.end !== undefined && start > q.end) continue;
        let bucket = buckets.get(start);
        if (!bucket) buckets.set(start, (bucket = {}));
        merge(bucket, entries);
      }
      const starts = [...buckets.keys()].sort((a, b) => (q.backwards ? b - a : a - b));
      return starts.map((start) => {
        const record: StatsRecord = {
          intervalId: intervalId(start, q.unit),
          unit: q.unit,
          schema: SCHEMA,
          appId,
          entries: buckets.get(start)!,
        };
        if (intervalEnd(start, q.unit) > now)
          record.inProgress = `${intervalId(now, 'minute')}:${String(new Date(now).getUTCSeconds()).padStart(2, '0')}`;
        return record;
      });
    },
    dropApp: (appId) => void apps.delete(appId),
  };
}
