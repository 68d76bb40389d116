import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AppRecord, Store } from '@switchboard/server';

/** Versioned schema migrations, applied in order; `user_version` records the last applied. */
const MIGRATIONS: string[] = [
  `CREATE TABLE apps (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     record TEXT NOT NULL
   )`,
];

/** Options for the SQLite store. */
export interface SqliteStoreOptions {
  /** Database file path, or `:memory:`. */
  filename: string;
}

/** The embedded default Store: one SQLite file in the data directory (WAL mode). */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
  const db = new Database(options.filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
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
    close: async () => void db.close(),
  };
}
