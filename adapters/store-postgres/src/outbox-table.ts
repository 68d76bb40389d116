import type pg from 'pg';
import { fromDb, toDbOrNull } from './text-codec.js';

/** The columns every outbox row has, whatever it carries. */
export interface OutboxRowBase {
  id: string;
  appId: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  lastError?: string;
}

/** The operations of one outbox table (push deliveries, webhook batches). */
export interface OutboxTable<R extends OutboxRowBase> {
  enqueue(rows: readonly R[]): Promise<void>;
  listDue(now: number, limit: number): Promise<R[]>;
  update(row: R): Promise<void>;
  get(id: string): Promise<R | undefined>;
  prune(before: number, limit: number): Promise<number>;
  /** Reads a `SELECT *` row of the table, for a table's own queries. */
  toRecord(row: OutboxRow): R;
}

/**
 * The migration of an outbox table: a row is written before its item is sent, so a restart
 * during retries resumes it. The partial index serves the due-rows scan; the other, pruning.
 */
export function outboxMigration(table: string, payloadColumn: string): string {
  return `
  CREATE TABLE ${table} (
    id TEXT COLLATE "C" PRIMARY KEY,
    app_id TEXT COLLATE "C" NOT NULL,
    ${payloadColumn} TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_error TEXT
  );
  CREATE INDEX ${table}_due ON ${table} (next_attempt_at, id) WHERE status = 'pending';
  CREATE INDEX ${table}_by_update ON ${table} (updated_at);`;
}

/** A row of an outbox table as `SELECT *` reads it. */
export type OutboxRow = Record<string, unknown> & {
  id: string;
  app_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
  updated_at: string;
  last_error: string | null;
};

/** An outbox table over PostgreSQL whose payload (column and field `payloadKey`) is JSON text. */
export function createOutboxTable<K extends string, R extends OutboxRowBase & Record<K, unknown>>(
  pool: pg.Pool,
  table: string,
  payloadKey: K,
): OutboxTable<R> {
  const toRecord = (r: OutboxRow): R =>
    ({
      id: r.id,
      appId: r.app_id,
      [payloadKey]: JSON.parse(r[payloadKey] as string) as unknown,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: Number(r.next_attempt_at),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
      ...(r.last_error === null ? {} : { lastError: fromDb(r.last_error) }),
    }) as unknown as R;
  return {
    toRecord,
    async enqueue(rows) {
      if (rows.length === 0) return;
      // One statement for the batch: the rows are there together or not at all.
      const values: unknown[] = [];
      const tuples = rows.map((r) => {
        const at = values.length;
        values.push(
          r.id,
          r.appId,
          JSON.stringify(r[payloadKey]),
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
        `INSERT INTO ${table} (id, app_id, ${payloadKey}, status, attempts, next_attempt_at,
           created_at, updated_at, last_error) VALUES ${tuples.join(', ')}`,
        values,
      );
    },
    async listDue(now, limit) {
      const { rows } = await pool.query<OutboxRow>(
        `SELECT * FROM ${table} WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2`,
        [now, limit],
      );
      return rows.map(toRecord);
    },
    async update(r) {
      await pool.query(
        `UPDATE ${table} SET status = $1, attempts = $2, next_attempt_at = $3, updated_at = $4,
           last_error = $5 WHERE id = $6`,
        [r.status, r.attempts, r.nextAttemptAt, r.updatedAt, toDbOrNull(r.lastError), r.id],
      );
    },
    async get(id) {
      const { rows } = await pool.query<OutboxRow>(`SELECT * FROM ${table} WHERE id = $1`, [id]);
      return rows[0] && toRecord(rows[0]);
    },
    async prune(before, limit) {
      const result = await pool.query(
        `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table}
           WHERE status <> 'pending' AND updated_at < $1 LIMIT $2)`,
        [before, limit],
      );
      return result.rowCount ?? 0;
    },
  };
}
