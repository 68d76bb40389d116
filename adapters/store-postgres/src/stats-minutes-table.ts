import type pg from 'pg';
import type { StatsMinuteRecord, Store } from '@switchboard/server';
import { fromDb, toDb } from './text-codec.js';
import { params } from './sql-helpers.js';

/** Per-app, per-minute stats counters, stored as the recorder's flattened entries (jsonb). */
export function createStatsMinutesTable(
  pool: pg.Pool,
): Pick<Store, 'saveStatsMinutes' | 'listStatsMinutes' | 'pruneStatsMinutes'> {
  return {
    async saveStatsMinutes(records) {
      // Last write per app and minute: one statement may upsert each row only once.
      const byKey = new Map<string, StatsMinuteRecord>();
      for (const r of records) byKey.set(`${r.minute}\n${r.appId}`, r);
      const rows = [...byKey.values()];
      if (rows.length === 0) return;
      await pool.query(
        `INSERT INTO stats_minutes (app_id, minute, entries)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::jsonb[])
         ON CONFLICT (app_id, minute) DO UPDATE SET entries = excluded.entries`,
        [
          rows.map((r) => toDb(r.appId)),
          rows.map((r) => r.minute),
          rows.map((r) => JSON.stringify(r.entries)),
        ],
      );
    },
    async listStatsMinutes(q) {
      const p = params();
      const where = ['true'];
      if (q.appId !== undefined) where.push(`app_id = ${p.add(toDb(q.appId))}`);
      if (q.since !== undefined) where.push(`minute >= ${p.add(q.since)}`);
      if (q.until !== undefined) where.push(`minute < ${p.add(q.until)}`);
      const order = q.backwards ? 'DESC' : 'ASC';
      const limit = q.limit === undefined ? '' : `LIMIT ${p.add(q.limit)}`;
      const { rows } = await pool.query<{
        app_id: string;
        minute: number;
        entries: Record<string, number>;
      }>(
        `SELECT app_id, minute, entries FROM stats_minutes WHERE ${where.join(' AND ')}
         ORDER BY minute ${order}, app_id ${order} ${limit}`,
        p.values,
      );
      return rows.map((r) => ({ appId: fromDb(r.app_id), minute: r.minute, entries: r.entries }));
    },
    pruneStatsMinutes: async (before, limit) =>
      (
        await pool.query(
          `DELETE FROM stats_minutes WHERE ctid IN
             (SELECT ctid FROM stats_minutes WHERE minute < $1 LIMIT $2)`,
          [before, limit],
        )
      ).rowCount ?? 0,
  };
}
