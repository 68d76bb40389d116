import type pg from 'pg';
import type { PushDelivery, PushOutboxRecord, PushOutboxStatus, Store } from '@switchboard/server';
import { fromDb, toDbOrNull } from './text-codec.js';

/**
 * The push outbox: a push is written here before it is sent, so a restart during retries
 * resumes it. The partial index serves the due-rows scan; the other, pruning finished rows.
 */
export const PUSH_OUTBOX_MIGRATION = `
  CREATE TABLE push_outbox (
    id TEXT COLLATE "C" PRIMARY KEY,
    app_id TEXT COLLATE "C" NOT NULL,
    delivery TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_error TEXT
  );
  CREATE INDEX push_outbox_due ON push_outbox (next_attempt_at, id) WHERE status = 'pending';
  CREATE INDEX push_outbox_by_update ON push_outbox (updated_at);`;

interface Row {
  id: string;
  app_id: string;
  delivery: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
  updated_at: string;
  last_error: string | null;
}

function toRecord(r: Row): PushOutboxRecord {
  return {
    id: r.id,
    appId: r.app_id,
    delivery: JSON.parse(r.delivery) as PushDelivery,
    status: r.status as PushOutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    ...(r.last_error === null ? {} : { lastError: fromDb(r.last_error) }),
  };
}

/** The push outbox over PostgreSQL (table made by PUSH_OUTBOX_MIGRATION). */
export function createPushOutboxTable(
  pool: pg.Pool,
): Pick<
  Store,
  | 'enqueuePushOutbox'
  | 'listDuePushOutbox'
  | 'updatePushOutbox'
  | 'getPushOutbox'
  | 'prunePushOutbox'
> {
  return {
    async enqueuePushOutbox(rows) {
      if (rows.length === 0) return;
      // One statement for the batch: the rows are there together or not at all.
      const values: unknown[] = [];
      const tuples = rows.map((r) => {
        const at = values.length;
        values.push(
          r.id,
          r.appId,
          JSON.stringify(r.delivery),
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
        `INSERT INTO push_outbox (id, app_id, delivery, status, attempts, next_attempt_at,
           created_at, updated_at, last_error) VALUES ${tuples.join(', ')}`,
        values,
      );
    },
    async listDuePushOutbox(now, limit) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM push_outbox WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2`,
        [now, limit],
      );
      return rows.map(toRecord);
    },
    async updatePushOutbox(r) {
      await pool.query(
        `UPDATE push_outbox SET status = $1, attempts = $2, next_attempt_at = $3, updated_at = $4,
           last_error = $5 WHERE id = $6`,
        [r.status, r.attempts, r.nextAttemptAt, r.updatedAt, toDbOrNull(r.lastError), r.id],
      );
    },
    async getPushOutbox(id) {
      const { rows } = await pool.query<Row>('SELECT * FROM push_outbox WHERE id = $1', [id]);
      return rows[0] && toRecord(rows[0]);
    },
    async prunePushOutbox(before, limit) {
      const result = await pool.query(
        `DELETE FROM push_outbox WHERE id IN (SELECT id FROM push_outbox
           WHERE status <> 'pending' AND updated_at < $1 LIMIT $2)`,
        [before, limit],
      );
      return result.rowCount ?? 0;
    },
  };
}
