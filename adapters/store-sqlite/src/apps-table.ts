import type Database from 'better-sqlite3';
import type { AppRecord, Store } from '@switchboard/server';

/** Apps with their keys, namespaces and fixtures, one JSON record per app. */
export function createAppsTable(
  db: Database.Database,
): Pick<Store, 'listApps' | 'saveApp' | 'deleteApp'> {
  const list = db.prepare('SELECT record FROM apps ORDER BY created_at');
  const upsert = db.prepare(
    'INSERT INTO apps (id, created_at, record) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record',
  );
  const remove = db.prepare('DELETE FROM apps WHERE id = ?');
  return {
    listApps: async () =>
      (list.all() as { record: string }[]).map((r) => JSON.parse(r.record) as AppRecord),
    saveApp: async (app) => void upsert.run(app.id, app.createdAt, JSON.stringify(app)),
    deleteApp: async (id) => void remove.run(id),
  };
}
