import type pg from 'pg';
import {
  canonicalWebhookRows,
  webhookBatchPrefix,
  type Store,
  type WebhookOutboxRecord,
} from '@switchboard/server';
import { createOutboxTable, outboxMigration, type OutboxRow } from './outbox-table.js';

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
  | 'listWebhookDeliveries'
> {
  const outbox = createOutboxTable<'batch', WebhookOutboxRecord>(pool, 'webhook_outbox', 'batch');
  return {
    enqueueWebhookOutbox: (rows) => outbox.enqueue(canonicalWebhookRows(rows)),
    listDueWebhookOutbox: outbox.listDue,
    updateWebhookOutbox: outbox.update,
    getWebhookOutbox: outbox.get,
    pruneWebhookOutbox: outbox.prune,
    async listWebhookDeliveries(appId, ruleId, limit) {
      // The rule is the first field of the stored JSON (canonicalWebhookRows): a prefix finds it
      // without parsing bodies, which PostgreSQL's JSON functions refuse when one holds \u0000.
      const prefix = webhookBatchPrefix(ruleId);
      const { rows } = await pool.query<OutboxRow>(
        `SELECT * FROM webhook_outbox WHERE app_id = $1 AND left(batch, length($2)) = $2
         ORDER BY created_at DESC, id DESC LIMIT $3`,
        [appId, prefix, limit],
      );
      return rows.map(outbox.toRecord);
    },
  };
}
