import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSwitchboard, type SwitchboardConfig } from '@switchboard/server-node';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function config(dataDir: string): SwitchboardConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    development: true,
    corsOrigins: [],
    apps: [],
    limits: {},
  };
}

const mode = (path: string): number => statSync(path).mode & 0o777;

// The data directory holds the database with every key secret: only the server's user may enter it.
describe('data directory modes', () => {
  it('creates the data directory 0700 and the database with its WAL 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-datadir-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    // Development mode creates the dev app on first start, so the WAL exists.
    const switchboard = await startSwitchboard(config(dataDir));
    const db = join(dataDir, 'switchboard.sqlite');
    expect(mode(dataDir).toString(8)).toBe('700');
    expect(mode(db).toString(8)).toBe('600');
    expect(mode(`${db}-wal`).toString(8)).toBe('600');
    expect(mode(`${db}-shm`).toString(8)).toBe('600');
    await switchboard.close();
  });

  it('tightens an existing 0755 data directory and 0644 database on start', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'switchboard-datadir-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const first = await startSwitchboard(config(dataDir));
    await first.close();
    const db = join(dataDir, 'switchboard.sqlite');
    chmodSync(dataDir, 0o755);
    chmodSync(db, 0o644);
    const again = await startSwitchboard(config(dataDir));
    expect(mode(dataDir).toString(8)).toBe('700');
    expect(mode(db).toString(8)).toBe('600');
    await again.close();
  });
});
