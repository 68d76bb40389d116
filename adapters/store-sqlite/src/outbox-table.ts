import type Database from 'better-sqlite3';

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
  /** The SELECT list that reads a row as an OutboxRow, for a table's own queries. */
  columns: string;
  toRecord(row: OutboxRow): R;
}

/** A row as `columns` reads it. */
export interface OutboxRow {
  id: string;
  appId: string;
  payload: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  lastError: string | null;
}

/**
 * An outbox table: one row per queued item, its payload (column and record field `payloadKey`)
 * as JSON text; due rows are found by a partial index on pending rows.
 */
export function createOutboxTable<K extends string, R extends OutboxRowBase & Record<K, unknown>>(
  db: Database.Database,
  table: string,
  payloadKey: K,
): OutboxTable<R> {
  const columns = `id, app_id AS appId, ${payloadKey} AS payload, status, attempts,
    next_attempt_at AS nextAttemptAt, created_at AS createdAt, updated_at AS updatedAt,
    last_error AS lastError`;
  const toRecord = (r: OutboxRow): R =>
    ({
      id: r.id,
      appId: r.appId,
      [payloadKey]: JSON.parse(r.payload) as unknown,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      ...(r.lastError === null ? {} : { lastError: r.lastError }),
    }) as unknown as R;
  const insert = db.prepare(
    `INSERT INTO ${table} (id, app_id, ${payloadKey}, status, attempts, next_attempt_at,
       created_at, updated_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAll = db.transaction((rows: readonly R[]) => {
    for (const r of rows)
      insert.run(
        r.id,
        r.appId,
        JSON.stringify(r[payloadKey]),
        r.status,
        r.attempts,
        r.nextAttemptAt,
        r.createdAt,
        r.updatedAt,
        r.lastError ?? null,
      );
  });
  const due = db.prepare(
    `SELECT ${columns} FROM ${table} WHERE status = 'pending' AND next_attempt_at <= ?
     ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const update = db.prepare(
    `UPDATE ${table} SET status = ?, attempts = ?, next_attempt_at = ?, updated_at = ?,
       last_error = ? WHERE id = ?`,
  );
  const getOne = db.prepare(`SELECT ${columns} FROM ${table} WHERE id = ?`);
  const prune = db.prepare(
    `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table}
       WHERE status <> 'pending' AND updated_at < ? LIMIT ?)`,
  );
  return {
    columns,
    toRecord,
    enqueue: async (rows) => void insertAll(rows),
    listDue: async (now, limit) => (due.all(now, limit) as OutboxRow[]).map(toRecord),
    update: async (r) =>
      void update.run(
        r.status,
        r.attempts,
        r.nextAttemptAt,
        r.updatedAt,
        r.lastError ?? null,
        r.id,
      ),
    async get(id) {
      const row = getOne.get(id) as OutboxRow | undefined;
      return row && toRecord(row);
    },
    prune: async (before, limit) => prune.run(before, limit).changes,
  };
}
