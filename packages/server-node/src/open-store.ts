import { join } from 'node:path';
import type { Store } from '@switchboard/server';
import { createPostgresStore } from '@switchboard/store-postgres';
import { createSqliteStore } from '@switchboard/store-sqlite';
import type { SwitchboardConfig } from './config.js';
import { preparePrivateDataDir } from './data-dir.js';

/**
 * The store of record the config names: PostgreSQL when `databaseUrl` is set, else SQLite in the
 * data directory (the embedded default).
 */
export async function openConfiguredStore(config: SwitchboardConfig): Promise<Store> {
  if (config.databaseUrl) {
    return createPostgresStore({
      connectionString: config.databaseUrl,
      ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
    });
  }
  preparePrivateDataDir(config.dataDir);
  return createSqliteStore({
    filename: join(config.dataDir, 'switchboard.sqlite'),
    ...(config.sqliteSynchronous ? { synchronous: config.sqliteSynchronous } : {}),
  });
}
