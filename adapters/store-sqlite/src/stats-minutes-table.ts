import type Database from 'better-sqlite3';
import type { StatsMinuteRecord, Store } from '@switchboard/server';
import { statementCache } from './sql-helpers.js';

/** Per-app, per-minute stats counters, stored as the recorder's flattened entries (JSON). */
export function createStatsMinutesTable(
  db: Database.Database,
): Pick<Store, 'saveStatsMinutes' | 'listStatsMinutes' | 'pruneStatsMinutes'> {
  const prepare = statementCache(db);
  const upsert = db.prepare(
    `INSERT INTO stats_minutes (app_id, minute, entries) VALUES (?, ?, ?)
     ON CONFLICT(app_id, minute) DO UPDATE SET entries = excluded.entries`,
  );
  const saveAll = db.transaction((records: readonly StatsMinuteRecord[]) => {
    for (const r of records) upsert.run(r.appId, r.minute, JSON.stringify(r.entries));
  });
  const prune = db.prepare(
    `DELETE FROM stats_minutes WHERE rowid IN
       (SELECT rowid FROM stats_minutes WHERE minute < ? LIMIT ?)`,
  );
  return {
    saveStatsMinutes: async (records) => saveAll(records),
    async listStatsMinutes(q) {
      const where = ['1'];
      const params: Record<string, unknown> = { limit: q.limit ?? -1 };
      if (q.appId !== undefined) {
        where.push('app_id = @appId');
        params.appId = q.appId;
      }
      if (q.since !== undefined) {
        where.push('minute >= @since');
        params.since = q.since;
      }
      if (q.until !== undefined) {
        where.push('minute < @until');
        params.until = q.until;
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const rows = prepare(
        `SELECT app_id AS appId, minute, entries FROM stats_minutes WHERE ${where.join(' AND ')}
         ORDER BY minute ${order}, app_id ${order} LIMIT @limit`,
      ).all(params) as { appId: string; minute: number; entries: string }[];
      return rows.map((r) => ({ ...r, entries: JSON.parse(r.entries) as Record<string, number> }));
    },
    pruneStatsMinutes: async (before, limit) => prune.run(before, limit).changes,
  };
}
