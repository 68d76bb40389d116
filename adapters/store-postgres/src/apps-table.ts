import type pg from 'pg';
import type { AppRecord, Store } from '@switchboard/server';
import { toDb } from './text-codec.js';

/**
 * Apps with their keys, namespaces and fixtures, one JSON record per app. The record is text,
 * not jsonb: JSON.stringify escapes every character jsonb would refuse, so any record round-trips.
 */
export function createAppsTable(pool: pg.Pool): Pick<Store, 'listApps' | 'saveApp' | 'deleteApp'> {
  return {
    async listApps() {
      const { rows } = await pool.query<{ record: string }>(
        'SELECT record FROM apps ORDER BY created_at, id',
      );
      return rows.map((r) => JSON.parse(r.record) as AppRecord);
    },
    async saveApp(app) {
      await pool.query(
        `INSERT INTO apps (id, created_at, record) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET record = excluded.record`,
        [toDb(app.id), app.createdAt, JSON.stringify(app)],
      );
    },
    async deleteApp(id) {
      await pool.query('DELETE FROM apps WHERE id = $1', [toDb(id)]);
    },
  };
}
