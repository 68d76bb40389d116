import type { Store } from '../ports/store.js';
import type { StatsMinute, StatsRecorder } from '../stats/stats-recorder.js';

/** Minutes per store call when saving. */
export const STATS_BATCH = 500;

/** Saves the stats recorder's recent minutes to the store and loads them back at start. */
export interface StatsPersistence {
  /** Puts the minutes of the retention window back into the recorder. */
  load(now: number): Promise<number>;
  /** Saves the minutes that may have changed since the last successful save. */
  flush(now: number): Promise<boolean>;
}

/**
 * Where the minutes saved come from. On one node, its recorder. On a cluster, the totals summed
 * over the nodes: every node saves those, so nodes sharing a store write the same rows rather
 * than each overwrite the others' minutes with its own counts.
 */
export interface StatsSource {
  minutesBetween(from: number, to: number): StatsMinute[] | Promise<StatsMinute[]>;
  /**
   * How long after a minute ends it may still change (0 on one node). Minutes are saved again
   * for that long, so the last row written is the final total.
   */
  settleMs: number;
}

/**
 * Creates it. Counters only ever change in the current minute (and the previous one until it is
 * folded, or until the other nodes' counts of it arrived), so each save upserts the minutes from
 * the one containing the last save (less `settleMs`) up to now: a handful of rows however long
 * the server has run.
 */
export function createStatsPersistence(
  store: Pick<Store, 'saveStatsMinutes' | 'listStatsMinutes'>,
  recorder: StatsRecorder,
  retentionMs: number,
  source: StatsSource = {
    minutesBetween: (from, to) => recorder.minutesBetween(from, to),
    settleMs: 0,
  },
): StatsPersistence {
  let savedThrough: number | undefined;
  return {
    async load(now) {
      const minutes = await store.listStatsMinutes({ since: now - retentionMs });
      for (const m of minutes) recorder.restoreMinute(m.appId, m.minute, m.entries);
      savedThrough = now;
      return minutes.length;
    },
    async flush(now) {
      const from = (savedThrough ?? now) - source.settleMs;
      const minutes = await source.minutesBetween(from, now);
      for (let i = 0; i < minutes.length; i += STATS_BATCH) {
        await store.saveStatsMinutes(minutes.slice(i, i + STATS_BATCH));
      }
      savedThrough = now;
      return false;
    },
  };
}
