import type pg from 'pg';
import type { WebhookOutboxRecord, Store } from '@switchboard/server';
import { createOutboxTable, outboxMigration } from './outbox-table.js';

/** The webhook outbox's table (see outboxMigration). */
export const WEBHOOK_OUTBOX_MIGRATION = outboxMigration('webhook_outbox', 'batch');

/** The webhook outbox over PostgreSQL. */
export function createWebhookOutboxTable(
  pool: pg.Pool,
): Pick<
  Store,
  | 'enqueueWebhookOutbox'
  | 'listDueWebhookOutbox'
  | 'updateWebhookOutbox'
  | 'getWebhookOutbox'
  | 'pruneWebhookOutbox'
> {
  const outbox = createOutboxTable<'batch', WebhookOutboxRecord>(pool, 'webhook_outbox', 'batch');
  return {
    enqueueWebhookOutbox: outbox.enqueue,
    listDueWebhookOutbox: outbox.listDue,
    updateWebhookOutbox: outbox.update,
    getWebhookOutbox: outbox.get,
    pruneWebhookOutbox: outbox.prune,
  };
}
