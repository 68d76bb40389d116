import type pg from 'pg';
import type {
  WebhookBatch,
  WebhookOutboxRecord,
  WebhookOutboxStatus,
  Store,
} from '@switchboard/server';
import { fromDb, toDbOrNull } from './text-codec.js';

/**
 * The webhook outbox: a batch is written here before it is sent, so a restart during retries
 * resumes it. The partial index serves the due-rows scan; the other, pruning finished rows.
 */
export const WEBHOOK_OUTBOX_MIGRATION = `
  CREATE TABLE webhook_outbox (
    id TEXT COLLATE "C" PRIMARY KEY,
    app_id TEXT COLLATE "C" NOT NULL,
    batch TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_error TEXT
  );
  CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, id) WHERE status = 'pending';
  CREATE INDEX webhook_outbox_by_update ON webhook_outbox (updated_at);`;

interface Row {
  id: string;
  app_id: string;
  batch: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
  updated_at: string;
  last_error: string | null;
}

function toRecord(r: Row): WebhookOutboxRecord {
  return {
    id: r.id,
    appId: r.app_id,
    batch: JSON.parse(r.batch) as WebhookBatch,
    status: r.status as WebhookOutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    ...(r.last_error === null ? {} : { lastError: fromDb(r.last_error) }),
  };
}

/** The webhook outbox over PostgreSQL (table made by WEBHOOK_OUTBOX_MIGRATION). */
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
  return {
    async enqueueWebhookOutbox(rows) {
      if (rows.length === 0) return;
      // One statement for the batch: the rows are there together or not at all.
      const values: unknown[] = [];
      const tuples = rows.map((r) => {
        const at = values.length;
        values.push(
          r.id,
          r.appId,
          JSON.stringify(r.batch),
          r.status,
          r.attempts,
          r.nextAttemptAt,
          r.createdAt,
          r.updatedAt,
          toDbOrNull(r.lastError),
        );
        return `(${Array.from({ length: 9 }, (_, k) => `$${at + k + 1}`).join(', ')})`;
      });
      await pool.query(
        `INSERT INTO webhook_outbox (id, app_id, batch, status, attempts, next_attempt_at,
           created_at, updated_at, last_error) VALUES ${tuples.join(', ')}`,
        values,
      );
    },
    async listDueWebhookOutbox(now, limit) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM webhook_outbox WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2`,
        [now, limit],
      );
      return rows.map(toRecord);
    },
    async updateWebhookOutbox(r) {
      await pool.query(
        `UPDATE webhook_outbox SET status = $1, attempts = $2, next_attempt_at = $3, updated_at = $4,
           last_error = $5 WHERE id = $6`,
        [r.status, r.attempts, r.nextAttemptAt, r.updatedAt, toDbOrNull(r.lastError), r.id],
      );
    },
    async getWebhookOutbox(id) {
      const { rows } = await pool.query<Row>('SELECT * FROM webhook_outbox WHERE id = $1', [id]);
      return rows[0] && toRecord(rows[0]);
    },
    async pruneWebhookOutbox(before, limit) {
      const result = await pool.query(
        `DELETE FROM webhook_outbox WHERE id IN (SELECT id FROM webhook_outbox
           WHERE status <> 'pending' AND updated_at < $1 LIMIT $2)`,
        [before, limit],
      );
      return result.rowCount ?? 0;
    },
  };
}
