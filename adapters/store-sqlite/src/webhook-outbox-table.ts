import type Database from 'better-sqlite3';
import type {
  WebhookBatch,
  WebhookOutboxRecord,
  WebhookOutboxStatus,
  Store,
} from '@switchboard/server';

interface Row {
  id: string;
  appId: string;
  batch: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  lastError: string | null;
}

const COLUMNS = `id, app_id AS appId, batch, status, attempts, next_attempt_at AS nextAttemptAt,
  created_at AS createdAt, updated_at AS updatedAt, last_error AS lastError`;

function toRecord(r: Row): WebhookOutboxRecord {
  return {
    id: r.id,
    appId: r.appId,
    batch: JSON.parse(r.batch) as WebhookBatch,
    status: r.status as WebhookOutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.lastError === null ? {} : { lastError: r.lastError }),
  };
}

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
  const insert = db.prepare(
    `INSERT INTO webhook_outbox (id, app_id, batch, status, attempts, next_attempt_at,
       created_at, updated_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAll = db.transaction((rows: readonly WebhookOutboxRecord[]) => {
    for (const r of rows)
      insert.run(
        r.id,
        r.appId,
        JSON.stringify(r.batch),
        r.status,
        r.attempts,
        r.nextAttemptAt,
        r.createdAt,
        r.updatedAt,
        r.lastError ?? null,
      );
  });
  const due = db.prepare(
    `SELECT ${COLUMNS} FROM webhook_outbox WHERE status = 'pending' AND next_attempt_at <= ?
     ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const update = db.prepare(
    `UPDATE webhook_outbox SET status = ?, attempts = ?, next_attempt_at = ?, updated_at = ?,
       last_error = ? WHERE id = ?`,
  );
  const getOne = db.prepare(`SELECT ${COLUMNS} FROM webhook_outbox WHERE id = ?`);
  const prune = db.prepare(
    `DELETE FROM webhook_outbox WHERE rowid IN (SELECT rowid FROM webhook_outbox
       WHERE status <> 'pending' AND updated_at < ? LIMIT ?)`,
  );
  return {
    enqueueWebhookOutbox: async (rows) => void insertAll(rows),
    listDueWebhookOutbox: async (now, limit) => (due.all(now, limit) as Row[]).map(toRecord),
    updateWebhookOutbox: async (r) =>
      void update.run(
        r.status,
        r.attempts,
        r.nextAttemptAt,
        r.updatedAt,
        r.lastError ?? null,
        r.id,
      ),
    getWebhookOutbox: async (id) => {
      const row = getOne.get(id) as Row | undefined;
      return row && toRecord(row);
    },
    pruneWebhookOutbox: async (before, limit) => prune.run(before, limit).changes,
  };
}
