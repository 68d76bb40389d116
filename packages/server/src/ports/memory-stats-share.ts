import { mergeEntries, type StatsEntries } from './stats-entries.js';
import type { StatsShare } from './broker.js';

/**
 * The in-process cluster's stats counters (what Redis holds for the Redis broker). Minutes do not
 * expire here: the process ends first; `maxMinutes` still bounds each app.
 */
export function createMemoryStatsShare(): StatsShare {
  const apps = new Map<string, Map<number, StatsEntries>>();
  return {
    async add(minutes, keep) {
      for (const { appId, minute, entries } of minutes) {
        let byMinute = apps.get(appId);
        if (!byMinute) apps.set(appId, (byMinute = new Map()));
        let counts = byMinute.get(minute);
        if (!counts) byMinute.set(minute, (counts = {}));
        mergeEntries(counts, entries);
        if (byMinute.size > keep.maxMinutes) byMinute.delete(Math.min(...byMinute.keys()));
      }
      return [];
    },
    async minutesOf(appId, from, to) {
      return [...(apps.get(appId)?.keys() ?? [])]
        .filter((m) => m >= from && m <= to)
        .sort((a, b) => a - b);
    },
    async read(appId, minutes) {
      const byMinute = apps.get(appId);
      return minutes.flatMap((minute) => {
        const entries = byMinute?.get(minute);
        return entries ? [{ appId, minute, entries: { ...entries } }] : [];
      });
    },
    async appsSince(minute) {
      return [...apps]
        .filter(([, byMinute]) => [...byMinute.keys()].some((m) => m >= minute))
        .map(([appId]) => appId);
    },
  };
}
