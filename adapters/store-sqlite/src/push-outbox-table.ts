import type Database from 'better-sqlite3';
import type { PushDelivery, PushOutboxRecord, PushOutboxStatus, Store } from '@switchboard/server';

interface Row {
  id: string;
  appId: string;
  delivery: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  lastError: string | null;
}

const COLUMNS = `id, app_id AS appId, delivery, status, attempts, next_attempt_at AS nextAttemptAt,
  created_at AS createdAt, updated_at AS updatedAt, last_error AS lastError`;

function toRecord(r: Row): PushOutboxRecord {
  return {
    id: r.id,
    appId: r.appId,
    delivery: JSON.parse(r.delivery) as PushDelivery,
    status: r.status as PushOutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.lastError === null ? {} : { lastError: r.lastError }),
  };
}

/** The push outbox: one row per queued push, the delivery as JSON text. */
export function createPushOutboxTable(
  db: Database.Database,
): Pick<
  Store,
  | 'enqueuePushOutbox'
  | 'listDuePushOutbox'
  | 'updatePushOutbox'
  | 'getPushOutbox'
  | 'prunePushOutbox'
> {
  const insert = db.prepare(
    `INSERT INTO push_outbox (id, app_id, delivery, status, attempts, next_attempt_at,
       created_at, updated_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAll = db.transaction((rows: readonly PushOutboxRecord[]) => {
    for (const r of rows)
      insert.run(
        r.id,
        r.appId,
        JSON.stringify(r.delivery),
        r.status,
        r.attempts,
        r.nextAttemptAt,
        r.createdAt,
        r.updatedAt,
        r.lastError ?? null,
      );
  });
  const due = db.prepare(
    `SELECT ${COLUMNS} FROM push_outbox WHERE status = 'pending' AND next_attempt_at <= ?
     ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const update = db.prepare(
    `UPDATE push_outbox SET status = ?, attempts = ?, next_attempt_at = ?, updated_at = ?,
       last_error = ? WHERE id = ?`,
  );
  const getOne = db.prepare(`SELECT ${COLUMNS} FROM push_outbox WHERE id = ?`);
  const prune = db.prepare(
    `DELETE FROM push_outbox WHERE rowid IN (SELECT rowid FROM push_outbox
       WHERE status <> 'pending' AND updated_at < ? LIMIT ?)`,
  );
  return {
    enqueuePushOutbox: async (rows) => void insertAll(rows),
    listDuePushOutbox: async (now, limit) => (due.all(now, limit) as Row[]).map(toRecord),
    updatePushOutbox: async (r) =>
      void update.run(
        r.status,
        r.attempts,
        r.nextAttemptAt,
        r.updatedAt,
        r.lastError ?? null,
        r.id,
      ),
    getPushOutbox: async (id) => {
      const row = getOne.get(id) as Row | undefined;
      return row && toRecord(row);
    },
    prunePushOutbox: async (before, limit) => prune.run(before, limit).changes,
  };
}
