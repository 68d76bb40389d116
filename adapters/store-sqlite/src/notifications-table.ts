import type Database from 'better-sqlite3';
import { parseNotificationCursor, type NotificationRecord, type Store } from '@switchboard/server';
import { statementCache, toPage, withoutNulls } from './sql-helpers.js';

/** The notification log and nudge slots (one migration, appended in migrations.ts). */
export const NOTIFICATIONS_MIGRATION = `
  CREATE TABLE notification_log (
    id INTEGER PRIMARY KEY,
    app_id TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    presence_channel TEXT NOT NULL,
    event TEXT NOT NULL,
    sender_client_id TEXT,
    recipient_client_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    devices INTEGER NOT NULL
  );
  CREATE INDEX notification_log_by_recipient ON notification_log (app_id, recipient_client_id, id);
  CREATE INDEX notification_log_by_sender ON notification_log (app_id, sender_client_id, id);
  CREATE INDEX notification_log_by_time ON notification_log (timestamp);
  CREATE TABLE nudge_slots (
    app_id TEXT NOT NULL,
    sender_client_id TEXT NOT NULL,
    recipient_client_id TEXT NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, sender_client_id, recipient_client_id)
  );
  CREATE INDEX nudge_slots_by_time ON nudge_slots (last_at);`;

const COLUMNS = `id, app_id AS appId, timestamp, kind, channel, presence_channel AS presenceChannel,
  event, sender_client_id AS senderClientId, recipient_client_id AS recipientClientId, outcome,
  reason, devices`;

/** The NotificationStore over SQLite. */
export function createNotificationsTable(
  db: Database.Database,
): Pick<
  Store,
  'appendNotification' | 'listNotifications' | 'claimNudge' | 'pruneNotifications' | 'pruneNudges'
> {
  const prepare = statementCache(db);
  const insert = db.prepare(
    `INSERT INTO notification_log (app_id, timestamp, kind, channel, presence_channel, event,
       sender_client_id, recipient_client_id, outcome, reason, devices)
     VALUES (@appId, @timestamp, @kind, @channel, @presenceChannel, @event, @senderClientId,
       @recipientClientId, @outcome, @reason, @devices)`,
  );
  // The upsert only overwrites a slot whose window has passed; RETURNING says whether it did.
  const claim = db.prepare(
    `INSERT INTO nudge_slots (app_id, sender_client_id, recipient_client_id, last_at)
     VALUES (@appId, @senderClientId, @recipientClientId, @now)
     ON CONFLICT (app_id, sender_client_id, recipient_client_id)
       DO UPDATE SET last_at = excluded.last_at WHERE nudge_slots.last_at <= @oldest
     RETURNING last_at`,
  );
  const lastAt = db.prepare(
    `SELECT last_at FROM nudge_slots
     WHERE app_id = ? AND sender_client_id = ? AND recipient_client_id = ?`,
  );
  return {
    async appendNotification(row) {
      const id = insert.run({ ...row, senderClientId: row.senderClientId ?? null }).lastInsertRowid;
      return { ...row, id: Number(id) };
    },
    async listNotifications(q) {
      const where = ['app_id = @appId'];
      if (q.recipientClientId !== undefined) where.push('recipient_client_id = @recipientClientId');
      if (q.senderClientId !== undefined) where.push('sender_client_id = @senderClientId');
      if (q.since !== undefined) where.push('timestamp >= @since');
      const below = q.cursor === undefined ? undefined : (parseNotificationCursor(q.cursor) ?? 0);
      if (below !== undefined) where.push('id < @below');
      const rows = prepare(
        `SELECT ${COLUMNS} FROM notification_log WHERE ${where.join(' AND ')}
         ORDER BY id DESC LIMIT @limit`,
      ).all({ ...q, below, limit: q.limit + 1 }) as Record<string, unknown>[];
      return toPage(
        rows.map((r) => withoutNulls<NotificationRecord>(r)),
        q.limit,
        (r) => String(r.id),
      );
    },
    async claimNudge(key, now, intervalMs) {
      const taken = claim.get({ ...key, now, oldest: now - intervalMs });
      if (taken) return { allowed: true };
      const row = lastAt.get(key.appId, key.senderClientId, key.recipientClientId) as
        { last_at: number } | undefined;
      return { allowed: false, nextAllowedAt: (row?.last_at ?? now) + intervalMs };
    },
    pruneNotifications: async (before, limit) =>
      prepare(
        `DELETE FROM notification_log WHERE id IN
           (SELECT id FROM notification_log WHERE timestamp < ? LIMIT ?)`,
      ).run(before, limit).changes,
    pruneNudges: async (before, limit) =>
      prepare(
        `DELETE FROM nudge_slots WHERE rowid IN
           (SELECT rowid FROM nudge_slots WHERE last_at < ? LIMIT ?)`,
      ).run(before, limit).changes,
  };
}
