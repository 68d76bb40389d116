import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@switchboard/store-sqlite';
import { runStoreSuite } from '@switchboard/testkit';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-sqlite-'));
let n = 0;
let current = '';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreSuite('SQLite', {
  open: () => createSqliteStore({ filename: (current = join(dir, `store-${n++}.sqlite`)) }),
  reopen: () => createSqliteStore({ filename: current }),
});
