import type { Redis } from 'ioredis';
import type { StatsMinuteRecord, StatsShare } from '@switchboard/server';
import type { BrokerKeys } from './keys.js';
import { STATS_ADD_SCRIPT } from './stats-script.js';

type RedisWithStats = Redis & {
  sbStatsAdd(...keysThenArgs: (string | number)[]): Promise<number>;
};

/** A score bound as Redis reads it (`+inf`/`-inf` for the open ends). */
const bound = (n: number): string => (n === Infinity ? '+inf' : n === -Infinity ? '-inf' : `${n}`);

/**
 * The cluster's stats counters in Redis: one hash per app-minute, a sorted set of each app's
 * minutes, and one of the apps. Each minute's add is one script call; the calls of one turn
 * leave in one write (the command connection auto-pipelines).
 */
export function createRedisStatsShare(redis: Redis, keys: BrokerKeys): StatsShare {
  const cmd = redis as RedisWithStats;
  cmd.defineCommand('sbStatsAdd', { lua: STATS_ADD_SCRIPT, numberOfKeys: 3 });
  return {
    async add(minutes, keep) {
      const outcomes = await Promise.allSettled(
        minutes.map(({ appId, minute, entries }) =>
          cmd.sbStatsAdd(
            keys.statsMinute(appId, minute),
            keys.statsMinutes(appId),
            keys.statsApps,
            minute,
            appId,
            Math.max(1, Math.ceil(keep.ttlMs)),
            keep.maxMinutes,
            keys.statsMinuteBase(appId),
            ...Object.entries(entries).flat(),
          ),
        ),
      );
      return minutes.filter((_, i) => outcomes[i]!.status === 'rejected');
    },
    async minutesOf(appId, from, to) {
      const members = await cmd.zrangebyscore(keys.statsMinutes(appId), bound(from), bound(to));
      return members.map(Number);
    },
    async read(appId, minutes) {
      const rows = await Promise.all(
        minutes.map((minute) => cmd.hgetall(keys.statsMinute(appId, minute))),
      );
      const result: StatsMinuteRecord[] = [];
      rows.forEach((row, i) => {
        const fields = Object.entries(row);
        // An expired minute is still listed until the app's set is trimmed: left out here.
        if (fields.length === 0) return;
        const entries: Record<string, number> = {};
        for (const [field, value] of fields) entries[field] = Number(value);
        result.push({ appId, minute: minutes[i]!, entries });
      });
      return result;
    },
    async appsSince(minute) {
      return cmd.zrangebyscore(keys.statsApps, bound(minute), '+inf');
    },
  };
}
