import type Database from 'better-sqlite3';
import {
  canonicalWebhookRows,
  webhookBatchPrefix,
  type Store,
  type WebhookOutboxRecord,
} from '@switchboard/server';
import { createOutboxTable, type OutboxRow } from './outbox-table.js';

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
  | 'listWebhookDeliveries'
> {
  const outbox = createOutboxTable<'batch', WebhookOutboxRecord>(db, 'webhook_outbox', 'batch');
  // The rule is the first field of the stored JSON (canonicalWebhookRows): a prefix finds it.
  const byRule = db.prepare(
    `SELECT ${outbox.columns} FROM webhook_outbox
     WHERE app_id = ? AND substr(batch, 1, length(?)) = ?
     ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  return {
    enqueueWebhookOutbox: (rows) => outbox.enqueue(canonicalWebhookRows(rows)),
    listDueWebhookOutbox: outbox.listDue,
    updateWebhookOutbox: outbox.update,
    getWebhookOutbox: outbox.get,
    pruneWebhookOutbox: outbox.prune,
    async listWebhookDeliveries(appId, ruleId, limit) {
      const prefix = webhookBatchPrefix(ruleId);
      return (byRule.all(appId, prefix, prefix, limit) as OutboxRow[]).map(outbox.toRecord);
    },
  };
}
