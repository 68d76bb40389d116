import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '@switchboard/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-refuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a database it cannot use is refused, never rewritten', () => {
  it('a corrupt file: one clear error, and the bytes are left as they were', () => {
    const filename = join(dir, 'corrupt.sqlite');
    const garbage = Buffer.from('this is not a database '.repeat(200));
    writeFileSync(filename, garbage, { mode: 0o600 });
    expect(() => createSqliteStore({ filename })).toThrow(
      /cannot open .*corrupt\.sqlite.*untouched/,
    );
    expect(readFileSync(filename)).toEqual(garbage);
  });

  it('a newer schema: refused with the versions named, and the data kept', async () => {
    const filename = join(dir, 'newer.sqlite');
    const store = createSqliteStore({ filename });
    await store.saveApp({ id: 'kept', createdAt: 1, keys: [], namespaces: [] });
    await store.close();
    const db = new Database(filename);
    db.pragma('user_version = 999');
    db.close();
    expect(() => createSqliteStore({ filename })).toThrow(/schema version 999, newer than/);
    const check = new Database(filename, { readonly: true });
    expect(check.prepare('SELECT id FROM apps').all()).toEqual([{ id: 'kept' }]);
    check.close();
  });
});
