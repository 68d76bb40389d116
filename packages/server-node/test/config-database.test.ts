import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@switchboard/server-node';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('choosing the store from config', () => {
  it('SQLite stays the default: no databaseUrl without DATABASE_URL, and an empty one is unset', () => {
    expect(loadConfig({}, {}).databaseUrl).toBeUndefined();
    expect(loadConfig({}, { DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('DATABASE_URL selects PostgreSQL and wins over the config file', () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ databaseUrl: 'postgres://file/db', databaseSchema: 'sb' }),
    );
    expect(loadConfig({ config: file }, {})).toMatchObject({
      databaseUrl: 'postgres://file/db',
      databaseSchema: 'sb',
    });
    expect(loadConfig({ config: file }, { DATABASE_URL: 'postgres://env/db' }).databaseUrl).toBe(
      'postgres://env/db',
    );
  });

  it('a schema without a database URL is refused, not silently ignored', () => {
    expect(() => loadConfig({}, { SWITCHBOARD_DATABASE_SCHEMA: 'sb' })).toThrow(/DATABASE_URL/);
  });
});
