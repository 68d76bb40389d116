import type { Store } from '@switchboard/server';
import { createAnnotationsTable } from './annotations-table.js';
import { createAppsTable } from './apps-table.js';
import { createChannelRegistryTable } from './channel-registry-table.js';
import { createConnectionStatsTable } from './connection-stats-table.js';
import { createEventsLogTable } from './events-log-table.js';
import { createHeartbeatConfigTable } from './heartbeat-config-table.js';
import { createPostgresHistory } from './history.js';
import { openPool } from './open-pool.js';
import { createPushTables } from './push-tables.js';
import { createNotificationsTable } from './notifications-table.js';
import { createPushOutboxTable } from './push-outbox-table.js';
import { createWebhookOutboxTable } from './webhook-outbox-table.js';
import { createStatsMinutesTable } from './stats-minutes-table.js';
import { createTokenTables } from './token-tables.js';

/** Options for the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** A libpq-style URL, e.g. `postgres://user@host:5432/db` (what `DATABASE_URL` holds). */
  connectionString: string;
  /**
   * Schema for Switchboard's tables, created if missing (plain lower-case identifier). Default:
   * the connection's search_path, usually `public`.
   */
  schema?: string;
  /** Pooled connections at most (default 10). */
  poolSize?: number;
}

/**
 * The production Store: PostgreSQL through one pg Pool, a module per table. Resolves once the
 * schema is migrated; rejects, having written nothing, on a schema newer than this code knows.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = await openPool({
    connectionString: options.connectionString,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.poolSize === undefined ? {} : { max: options.poolSize }),
  });
  return {
    ...createAppsTable(pool),
    ...createTokenTables(pool),
    ...createChannelRegistryTable(pool),
    ...createEventsLogTable(pool),
    ...createConnectionStatsTable(pool),
    ...createStatsMinutesTable(pool),
    ...createPostgresHistory(pool),
    ...createPushTables(pool),
    ...createNotificationsTable(pool),
    ...createPushOutboxTable(pool),
    ...createWebhookOutboxTable(pool),
    ...createHeartbeatConfigTable(pool),
    ...createAnnotationsTable(pool),
    close: () => pool.end(),
  };
}

export { MIGRATIONS } from './migrations.js';
