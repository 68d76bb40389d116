import type { Logger } from '../logger.js';
import type { LogThrottle } from '../log-throttle.js';
import type { StatsShare } from '../ports/broker.js';
import { intervalEnd, intervalStart } from './interval.js';
import type { StatsEntries } from '../ports/stats-entries.js';
import {
  aggregateStats,
  type StatsMinute,
  type StatsQuery,
  type StatsRecord,
  type StatsRecorder,
} from './stats-recorder.js';

/**
 * How often a node adds what it counted to the cluster's stats. Other nodes' counts reach a
 * `GET /stats` at most this long (plus a Redis round trip) after they were made; a node's own
 * are pushed before it answers, so they are never stale.
 */
export const STATS_PUSH_MS = 1000;

/**
 * How long after a minute ends its cluster totals may still grow: every node has pushed its
 * counts of it within STATS_PUSH_MS, so saving the last minute's totals again for this long
 * makes the stored row the final total even when another node pushed after this one saved.
 */
export const STATS_SETTLE_MS = 60_000;

/** The engine's stats on a cluster: counted here, summed over the nodes in the broker. */
export interface ClusterStats {
  /** What the engine counts into: this node's recorder, and the counts not yet pushed. */
  readonly recorder: StatsRecorder;
  /** Adds what this node counted since the last push; rejects when the broker cannot take it (kept for the next). */
  push(): Promise<void>;
  /**
   * The app's records across the cluster, the first `wanted` intervals in the query's order.
   * Minutes the broker lacks (lost with its state, or from before the cluster) come from this
   * node's recorder, which holds what the store had at start. With the broker unreachable, this
   * node's recorder answers alone.
   */
  query(appId: string, q: StatsQuery, now: number, wanted: number): Promise<StatsRecord[]>;
  /** Every app's cluster totals from `from` to `to`: what the stats persistence saves. */
  minutesBetween(from: number, to: number): Promise<StatsMinute[]>;
  /** Stops pushing on a timer (the stats persistence pushes a last time as it flushes). */
  stop(): void;
}

/** What cluster stats need. */
export interface ClusterStatsOptions {
  share: StatsShare;
  /** This node's recorder: everything it counted, plus the minutes loaded from the store. */
  local: StatsRecorder;
  /** The counts since the last push (drained by each). */
  pending: StatsRecorder;
  keep: { ttlMs: number; maxMinutes: number };
  logger: Logger;
  logThrottle: LogThrottle;
}

/** A query's minute span as numbers the broker can range over (open ends as infinities). */
function minuteSpan(q: StatsQuery): { from: number; to: number } {
  const from = q.start !== undefined ? intervalStart(q.start, q.unit) : -Infinity;
  const to = q.end !== undefined ? intervalEnd(intervalStart(q.end, q.unit), q.unit) - 1 : Infinity;
  // A time past what a Date holds gives NaN: then that end is open, as the recorder treats it.
  return { from: Number.isNaN(from) ? -Infinity : from, to: Number.isNaN(to) ? Infinity : to };
}

/** The minutes of the first `wanted` intervals, in the query's order. */
function firstIntervals(minutes: Iterable<number>, q: StatsQuery, wanted: number): number[] {
  const byInterval = new Map<number, number[]>();
  for (const minute of minutes) {
    const start = intervalStart(minute, q.unit);
    const group = byInterval.get(start);
    if (group) group.push(minute);
    else byInterval.set(start, [minute]);
  }
  return [...byInterval.keys()]
    .sort((a, b) => (q.backwards ? b - a : a - b))
    .slice(0, wanted)
    .flatMap((start) => byInterval.get(start)!);
}

/** Starts pushing every STATS_PUSH_MS. */
export function startClusterStats(options: ClusterStatsOptions): ClusterStats {
  const { share, local, pending, keep, logger } = options;
  const recorder: StatsRecorder = {
    add(appId, entries, at) {
      local.add(appId, entries, at);
      pending.add(appId, entries, at);
    },
    countInbound(appId, transport, messages, bytes, at) {
      local.countInbound(appId, transport, messages, bytes, at);
      pending.countInbound(appId, transport, messages, bytes, at);
    },
    countDelivered(appId, deliveries, at) {
      local.countDelivered(appId, deliveries, at);
      pending.countDelivered(appId, deliveries, at);
    },
    addFixture(appId, fixture) {
      // The local recorder enforces the bounds (and throws) first: nothing half-added.
      local.addFixture(appId, fixture);
      pending.addFixture(appId, fixture);
    },
    query: (appId, q, now) => local.query(appId, q, now),
    appMinutes: (appId) => local.appMinutes(appId),
    // Not what pushes use: they drain `pending` themselves.
    drain: () => local.drain(),
    dropApp(appId) {
      local.dropApp(appId);
      pending.dropApp(appId);
    },
    minutesBetween: (from, to) => local.minutesBetween(from, to),
    // Minutes loaded from the store are totals already in the cluster: never pushed again.
    restoreMinute: (appId, minute, entries) => local.restoreMinute(appId, minute, entries),
  };

  const pushOnce = async (): Promise<void> => {
    const minutes = pending.drain();
    if (minutes.length === 0) return;
    const unsent = await share.add(minutes, keep).catch(() => minutes);
    if (unsent.length === 0) return;
    for (const m of unsent) pending.restoreMinute(m.appId, m.minute, m.entries);
    throw new Error(`stats of ${unsent.length} app-minutes not added to the cluster`);
  };
  // One push at a time; a push asked for while one runs follows it, so what was counted before
  // the ask is in the cluster when it resolves.
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const push = (): Promise<void> => {
    if (!running) {
      running = pushOnce().finally(() => (running = undefined));
      return running;
    }
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return push();
      });
    return queued;
  };
  const warn = (what: string, err: unknown): void => {
    if (options.logThrottle.allow(`cluster stats ${what}`).log)
      logger.warn(`cluster stats: ${what}`, { error: String(err) });
  };
  const timer = setInterval(
    () => void push().catch((err: unknown) => warn('push failed; kept for the next', err)),
    STATS_PUSH_MS,
  );
  timer.unref();

  const readCluster = async (appId: string, minutes: readonly number[]) =>
    new Map((await share.read(appId, minutes)).map((m) => [m.minute, m.entries]));

  return {
    recorder,
    push,
    async query(appId, q, now, wanted) {
      try {
        await push();
        const span = minuteSpan(q);
        const own = new Map(local.appMinutes(appId));
        const shared = await share.minutesOf(appId, span.from, span.to);
        const candidates = new Set(shared);
        for (const minute of own.keys())
          if (minute >= span.from && minute <= span.to) candidates.add(minute);
        const chosen = firstIntervals(candidates, q, wanted);
        const sharedSet = new Set(shared);
        const counts = await readCluster(
          appId,
          chosen.filter((m) => sharedSet.has(m)),
        );
        const minutes = new Map<number, Readonly<StatsEntries>>();
        for (const minute of chosen) {
          const entries = counts.get(minute) ?? own.get(minute);
          if (entries) minutes.set(minute, entries);
        }
        return aggregateStats(appId, minutes, q, now);
      } catch (err) {
        warn("broker unreachable; GET /stats answered with this node's counts only", err);
        return local.query(appId, q, now);
      }
    },
    async minutesBetween(from, to) {
      await push();
      const first = intervalStart(from, 'minute');
      const result: StatsMinute[] = [];
      for (const appId of await share.appsSince(first)) {
        result.push(...(await share.read(appId, await share.minutesOf(appId, first, to))));
      }
      return result;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
