import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@switchboard/store-sqlite';
import type { AppRecord } from '@switchboard/server';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-modes-'));
  dirs.push(dir);
  return dir;
}

const mode = (path: string): number => statSync(path).mode & 0o777;

const app: AppRecord = {
  id: 'modes',
  createdAt: 1,
  keys: [{ keyName: 'modes.k1', secret: 'key-secret', capability: '{"*":["*"]}' }],
  namespaces: [],
};

// The database holds key secrets: no other local user may read it, its WAL or its shared memory.
describe('SQLite store file modes', () => {
  it('creates its directory 0700 and the database, -wal and -shm files 0600', async () => {
    const dataDir = join(tempDir(), 'data');
    const file = join(dataDir, 'switchboard.sqlite');
    const store = createSqliteStore({ filename: file });
    await store.saveApp(app);
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(mode(dataDir).toString(8)).toBe('700');
    expect(mode(file).toString(8)).toBe('600');
    expect(mode(`${file}-wal`).toString(8)).toBe('600');
    expect(mode(`${file}-shm`).toString(8)).toBe('600');
    await store.close();
  });

  it('tightens an existing 0644 database and leftover -wal and -shm files to 0600 on open', async () => {
    const file = join(tempDir(), 'switchboard.sqlite');
    const first = createSqliteStore({ filename: file });
    await first.saveApp(app);
    await first.close();
    chmodSync(file, 0o644);
    // Left behind as after a crash: SQLite opens existing -wal/-shm files without changing their mode.
    writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    writeFileSync(`${file}-shm`, '', { mode: 0o644 });
    chmodSync(`${file}-wal`, 0o644);
    chmodSync(`${file}-shm`, 0o644);
    const store = createSqliteStore({ filename: file });
    await store.saveApp({ ...app, createdAt: 2 });
    expect(mode(file).toString(8)).toBe('600');
    expect(mode(`${file}-wal`).toString(8)).toBe('600');
    expect(mode(`${file}-shm`).toString(8)).toBe('600');
    expect((await store.listApps()).map((a) => a.id)).toEqual(['modes']);
    await store.close();
  });
});
