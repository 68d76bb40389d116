import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HISTORY_MIGRATION, createSqliteHistory } from './history.js';
import type { AppRecord, RevocationRecord, Store, UsedNonceRecord } from '@switchboard/server';

/** Versioned schema migrations, applied in order; `user_version` records the last applied. */
const MIGRATIONS: string[] = [
  `CREATE TABLE apps (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     record TEXT NOT NULL
   )`,
  // Token revocations (RSA17) and used TokenRequest nonces (RSA9) must outlive a restart, or a
  // revoked token or a replayed TokenRequest is accepted again. The time indexes serve pruning.
  `CREATE TABLE token_revocations (
     key_name TEXT NOT NULL,
     client_id TEXT NOT NULL,
     issued_before INTEGER NOT NULL,
     applies_at INTEGER NOT NULL,
     PRIMARY KEY (key_name, client_id)
   );
   CREATE INDEX token_revocations_by_issued_before ON token_revocations (issued_before);
   CREATE TABLE used_nonces (
     key_name TEXT NOT NULL,
     nonce TEXT NOT NULL,
     used_at INTEGER NOT NULL,
     PRIMARY KEY (key_name, nonce)
   );
   CREATE INDEX used_nonces_by_used_at ON used_nonces (used_at);`,
  HISTORY_MIGRATION,
];

/** Options for the SQLite store. */
export interface SqliteStoreOptions {
  /** Database file path, or `:memory:`. */
  filename: string;
}

/** Owner-only modes: the database holds every key secret. */
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Takes away any permission `path` has beyond `allowed`; a missing file is left alone. */
function tighten(path: string, allowed: number): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (current & ~allowed) chmodSync(path, current & allowed);
}

/** The database file and the WAL-mode companions SQLite keeps beside it. */
const databaseFiles = (filename: string): string[] => [
  filename,
  `${filename}-wal`,
  `${filename}-shm`,
];

/** The embedded default Store: one SQLite file in the data directory (WAL mode). */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const onDisk = options.filename !== ':memory:';
  if (onDisk) {
    mkdirSync(dirname(options.filename), { recursive: true, mode: PRIVATE_DIR });
    // Created owner-only before SQLite opens it, since SQLite gives the -wal and -shm files it
    // creates the main file's mode; files left looser by an older version are tightened.
    closeSync(openSync(options.filename, 'a', PRIVATE_FILE));
    for (const file of databaseFiles(options.filename)) tighten(file, PRIVATE_FILE);
  }
  const db = new Database(options.filename);
  db.pragma('journal_mode = WAL');
  // Opening in WAL mode may have created -shm (and -wal); check them rather than trust SQLite.
  if (onDisk) for (const file of databaseFiles(options.filename)) tighten(file, PRIVATE_FILE);
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
  const revocationColumns =
    'key_name AS keyName, client_id AS clientId, issued_before AS issuedBefore, applies_at AS appliesAt';
  const saveRevocation = db.prepare(
    `INSERT INTO token_revocations (key_name, client_id, issued_before, applies_at)
     VALUES (@keyName, @clientId, @issuedBefore, @appliesAt)
     ON CONFLICT(key_name, client_id) DO UPDATE SET
       issued_before = excluded.issued_before, applies_at = excluded.applies_at`,
  );
  const allRevocations = db.prepare(`SELECT ${revocationColumns} FROM token_revocations`);
  const revocationsAfter = db.prepare(
    `SELECT ${revocationColumns} FROM token_revocations WHERE issued_before > ?`,
  );
  // Deleting by rowid through a LIMITed subquery keeps each prune a short transaction.
  const pruneRevocations = db.prepare(
    `DELETE FROM token_revocations WHERE rowid IN
       (SELECT rowid FROM token_revocations WHERE issued_before < ? LIMIT ?)`,
  );
  const recordNonce = db.prepare(
    `INSERT INTO used_nonces (key_name, nonce, used_at) VALUES (@keyName, @nonce, @usedAt)
     ON CONFLICT(key_name, nonce) DO UPDATE SET used_at = excluded.used_at`,
  );
  const noncesSince = db.prepare(
    'SELECT key_name AS keyName, nonce, used_at AS usedAt FROM used_nonces WHERE used_at >= ?',
  );
  const pruneNonces = db.prepare(
    `DELETE FROM used_nonces WHERE rowid IN
       (SELECT rowid FROM used_nonces WHERE used_at < ? LIMIT ?)`,
  );
  return {
    ...createSqliteHistory(db),
    listApps: async () =>
      (list.all() as { record: string }[]).map((r) => JSON.parse(r.record) as AppRecord),
    saveApp: async (app) => void upsert.run(app.id, app.createdAt, JSON.stringify(app)),
    deleteApp: async (id) => void remove.run(id),
    saveRevocation: async (r) => void saveRevocation.run(r),
    listRevocations: async (issuedAfter) =>
      (issuedAfter === undefined
        ? allRevocations.all()
        : revocationsAfter.all(issuedAfter)) as RevocationRecord[],
    pruneRevocations: async (issuedBefore, limit) =>
      pruneRevocations.run(issuedBefore, limit).changes,
    recordNonce: async (n) => void recordNonce.run(n),
    listNonces: async (usedSince) => noncesSince.all(usedSince) as UsedNonceRecord[],
    pruneNonces: async (usedBefore, limit) => pruneNonces.run(usedBefore, limit).changes,
    close: async () => void db.close(),
  };
}
