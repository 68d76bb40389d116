import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

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

/** Opens (creating owner-only) the database in WAL mode and applies pending migrations. */
export function openDatabase(
  filename: string,
  synchronous: 'normal' | 'full' = 'normal',
): Database.Database {
  const onDisk = filename !== ':memory:';
  if (onDisk) {
    mkdirSync(dirname(filename), { recursive: true, mode: PRIVATE_DIR });
    // Created owner-only before SQLite opens it, since SQLite gives the -wal and -shm files it
    // creates the main file's mode; files left looser by an older version are tightened.
    closeSync(openSync(filename, 'a', PRIVATE_FILE));
    for (const file of databaseFiles(filename)) tighten(file, PRIVATE_FILE);
  }
  let db: Database.Database;
  try {
    db = new Database(filename);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    // Never repair, rewrite or delete what is there: say what is wrong and stop.
    throw new Error(
      `cannot open ${filename}: ${(err as Error).message}; the file was left untouched`,
    );
  }
  // Opening in WAL mode may have created -shm (and -wal); check them rather than trust SQLite.
  if (onDisk) for (const file of databaseFiles(filename)) tighten(file, PRIVATE_FILE);
  // NORMAL in WAL mode: a commit survives a process crash; only a power loss or OS crash can undo
  // the last commits. FULL also syncs the WAL on every commit, for that case, at a cost.
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  // A second process (the operator CLI) may hold the write lock for a moment: wait, not fail.
  db.pragma('busy_timeout = 2000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new Error(
      `${filename} has schema version ${version}, newer than this Switchboard knows (${MIGRATIONS.length}): ` +
        'refusing to start; run the newer Switchboard or restore a backup',
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
