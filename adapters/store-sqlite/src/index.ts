import type { Store } from '@switchboard/server';
import { createAnnotationsTable } from './annotations-table.js';
import { createAppsTable } from './apps-table.js';
import { createChannelRegistryTable } from './channel-registry-table.js';
import { createConnectionStatsTable } from './connection-stats-table.js';
import { createEventsLogTable } from './events-log-table.js';
import { createHeartbeatConfigTable } from './heartbeat-config-table.js';
import { openDatabase } from './open-database.js';
import { createStatsMinutesTable } from './stats-minutes-table.js';
import { createTokenTables } from './token-tables.js';
import { createSqliteHistory } from './history.js';
import { createPushDevicesTable } from './push-devices-table.js';
import { createPushSubscriptionsTable } from './push-subscriptions-table.js';
import { createNotificationsTable } from './notifications-table.js';
import { createPushOutboxTable } from './push-outbox-table.js';
import { createWebhookOutboxTable } from './webhook-outbox-table.js';

/** Options for the SQLite store. */
export interface SqliteStoreOptions {
  /** Database file path, or `:memory:`. */
  filename: string;
  /** `normal` (default): durable against process crashes; `full`: against power loss too. */
  synchronous?: 'normal' | 'full';
}

/** The embedded default Store: one SQLite file in the data directory (WAL mode), a module per table. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.filename, options.synchronous);
  return {
    ...createAppsTable(db),
    ...createTokenTables(db),
    ...createChannelRegistryTable(db),
    ...createEventsLogTable(db),
    ...createConnectionStatsTable(db),
    ...createStatsMinutesTable(db),
    ...createSqliteHistory(db),
    ...createPushDevicesTable(db),
    ...createPushSubscriptionsTable(db),
    ...createNotificationsTable(db),
    ...createPushOutboxTable(db),
    ...createWebhookOutboxTable(db),
    ...createHeartbeatConfigTable(db),
    ...createAnnotationsTable(db),
    close: async () => void db.close(),
  };
}
