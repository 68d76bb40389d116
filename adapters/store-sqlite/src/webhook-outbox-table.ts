import type Database from 'better-sqlite3';
import type { Store, WebhookOutboxRecord } from '@switchboard/server';
import { createOutboxTable } from './outbox-table.js';

/** The webhook outbox: one row per queued batch, its rule and body as JSON text. */
export function createWebhookOutboxTable(
  db: Database.Database,
): Pick<
  Store,
  | 'enqueueWebhookOutbox'
  | 'listDueWebhookOutbox'
  | 'updateWebhookOutbox'
  | 'getWebhookOutbox'
  | 'pruneWebhookOutbox'
> {
  const outbox = createOutboxTable<'batch', WebhookOutboxRecord>(db, 'webhook_outbox', 'batch');
  return {
    enqueueWebhookOutbox: outbox.enqueue,
    listDueWebhookOutbox: outbox.listDue,
    updateWebhookOutbox: outbox.update,
    getWebhookOutbox: outbox.get,
    pruneWebhookOutbox: outbox.prune,
  };
}
