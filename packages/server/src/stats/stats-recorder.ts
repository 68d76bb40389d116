import { Errors } from '@switchboard/protocol';
import { intervalEnd, intervalId, intervalStart, type StatsUnit } from './interval.js';
import { mergeEntries as merge, type StatsEntries } from '../ports/stats-entries.js';

export type { StatsEntries } from '../ports/stats-entries.js';

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
  /** The hot-path counters: published messages and bytes by transport, and deliveries. */
  countInbound(
    appId: string,
    transport: 'realtime' | 'rest',
    messages: number,
    bytes: number,
    at: number,
  ): void;
  countDelivered(appId: string, deliveries: number, at: number): void;
  /**
   * Adds an Ably stats fixture in the nested form (`inbound.realtime.messages.count`); throws
   * 40003 when it would take its minute past `maxEntries` entries or nests too deep.
   */
  addFixture(appId: string, fixture: Record<string, unknown>): void;
  query(appId: string, q: StatsQuery, now: number): StatsRecord[];
  /** The app's minutes as [start, entries], current counts folded in; not to be changed. */
  appMinutes(appId: string): [number, Readonly<StatsEntries>][];
  /** Every app's minutes, current counts folded in, removed from the recorder. */
  drain(): StatsMinute[];
  dropApp(appId: string): void;
  /** Every app's minutes from `from` to `to` (inclusive), current counts folded in: to persist. */
  minutesBetween(from: number, to: number): StatsMinute[];
  /** Puts back a persisted minute at start, oldest first (before new counts reach it). */
  restoreMinute(appId: string, minute: number, entries: StatsEntries): void;
}

/** One app's counters for one minute (the minute's start, UTC ms). */
export interface StatsMinute {
  appId: string;
  minute: number;
  entries: StatsEntries;
}

const SCHEMA = 'https://schemas.ably.com/json/app-stats-0.0.5.json';
/** Fixtures nest a few levels (`inbound.realtime.messages.count`); deeper is hostile input. */
const MAX_DEPTH = 16;

/** How much a recorder keeps, so that neither counters nor fixtures grow memory without bound. */
export interface StatsRecorderLimits {
  /** Minutes kept per app; the oldest stored are dropped first. */
  maxMinutes: number;
  /** Distinct entries in one minute of one app. */
  maxEntries: number;
}

function flatten(value: unknown, prefix: string, out: StatsEntries, depth = 0): void {
  if (typeof value === 'number') out[prefix] = value;
  else if (value && typeof value === 'object') {
    if (depth >= MAX_DEPTH) throw Errors.invalidParameter('Stats fixture nests too deep');
    for (const [k, v] of Object.entries(value))
      flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
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

/**
 * Sums minutes into the query's intervals and orders them as asked; an interval still running at
 * `now` is marked in progress.
 */
export function aggregateStats(
  appId: string,
  minutes: Iterable<[number, Readonly<StatsEntries>]>,
  q: StatsQuery,
  now: number,
): StatsRecord[] {
  const buckets = new Map<number, StatsEntries>();
  for (const [minute, entries] of minutes) {
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
}

/** Creates an empty in-memory recorder. */
export function createStatsRecorder(limits: StatsRecorderLimits): StatsRecorder {
  const apps = new Map<string, Map<number, StatsEntries>>();
  // The publish path adds to plain numbers of the current minute and folds them into the
  // entries only when the minute changes or someone asks.
  const live = new Map<string, { minute: number; counts: number[] }>();
  const LIVE_KEYS = [
    'messages.inbound.realtime.messages.count',
    'messages.inbound.realtime.messages.data',
    'messages.inbound.rest.messages.count',
    'messages.inbound.rest.messages.data',
    'messages.outbound.realtime.messages.count',
  ];
  const foldLive = (appId: string): void => {
    const l = live.get(appId);
    if (!l) return;
    live.delete(appId);
    const c = l.counts;
    const entries: StatsEntries = {};
    LIVE_KEYS.forEach((key, i) => {
      if (c[i]) entries[key] = c[i]!;
    });
    const inCount = c[0]! + c[2]!;
    if (inCount) {
      entries['messages.inbound.all.messages.count'] = inCount;
      entries['messages.inbound.all.messages.data'] = c[1]! + c[3]!;
    }
    if (c[4]) entries['messages.outbound.all.messages.count'] = c[4];
    addAt(appId, l.minute, entries);
  };
  const counters = (appId: string, at: number): number[] => {
    const minute = at - (at % 60_000);
    let l = live.get(appId);
    if (l && l.minute !== minute) {
      foldLive(appId);
      l = undefined;
    }
    if (!l) live.set(appId, (l = { minute, counts: [0, 0, 0, 0, 0] }));
    return l.counts;
  };
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
      if (minutes.size > limits.maxMinutes) minutes.delete(minutes.keys().next().value!);
    }
    merge(bucket, entries);
  };
  return {
    add: (appId, entries, at) => addAt(appId, intervalStart(at, 'minute'), entries),
    countInbound(appId, transport, messages, bytes, at) {
      const c = counters(appId, at);
      const base = transport === 'realtime' ? 0 : 2;
      c[base]! += messages;
      c[base + 1]! += bytes;
    },
    countDelivered(appId, deliveries, at) {
      counters(appId, at)[4]! += deliveries;
    },
    addFixture(appId, fixture) {
      // Not String(): a deeply nested array recurses to a stack overflow (found by `npm run fuzz`).
      const id = typeof fixture.intervalId === 'string' ? fixture.intervalId : '';
      const m = /^(\d{4})-(\d{2})-(\d{2}):(\d{2}):(\d{2})$/.exec(id);
      if (!m) return;
      const minute = Date.UTC(
        Number(m[1]),
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
      );
      const entries = flattenFixture(fixture);
      const bucket = apps.get(appId)?.get(minute) ?? {};
      let size = Object.keys(bucket).length;
      for (const key of Object.keys(entries)) if (!(key in bucket)) size++;
      if (size > limits.maxEntries) {
        throw Errors.invalidParameter(
          `Stats fixture for ${id} would hold ${size} entries; at most ${limits.maxEntries}`,
        );
      }
      addAt(appId, minute, entries);
    },
    query(appId, q, now) {
      foldLive(appId);
      return aggregateStats(appId, apps.get(appId) ?? [], q, now);
    },
    appMinutes(appId) {
      foldLive(appId);
      return [...(apps.get(appId) ?? [])];
    },
    drain() {
      for (const appId of [...live.keys()]) foldLive(appId);
      const result: StatsMinute[] = [];
      for (const [appId, minutes] of apps)
        for (const [minute, entries] of minutes) result.push({ appId, minute, entries });
      apps.clear();
      return result;
    },
    dropApp(appId) {
      apps.delete(appId);
      live.delete(appId);
    },
    // For stats persistence (stats-persistence.ts): looked up minute by minute, so the cost is
    // the span asked for, not the months of minutes kept.
    minutesBetween(from, to) {
      const result: StatsMinute[] = [];
      for (const appId of [...live.keys()]) foldLive(appId);
      for (const [appId, minutes] of apps) {
        for (let m = intervalStart(from, 'minute'); m <= to; m += 60_000) {
          const entries = minutes.get(m);
          if (entries) result.push({ appId, minute: m, entries: { ...entries } });
        }
      }
      return result;
    },
    restoreMinute: (appId, minute, entries) => addAt(appId, minute, entries),
  };
}
