import type pg from 'pg';
import {
  parseNotificationCursor,
  type NotificationKind,
  type NotificationOutcome,
  type NotificationRecord,
  type Store,
} from '@switchboard/server';
import { msToTs, params, toPage, tsToMs } from './sql-helpers.js';
import { fromDb, toDb, toDbOrNull } from './text-codec.js';

/**
 * The notification log and the nudge limiter's slots. Times are timestamptz, as in the other
 * tables SQL readers query; client-given text goes through `toDb`.
 */
export const NOTIFICATIONS_MIGRATION = `
  CREATE TABLE notification_log (
    id BIGSERIAL PRIMARY KEY,
    app_id TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    presence_channel TEXT COLLATE "C" NOT NULL,
    event TEXT COLLATE "C" NOT NULL,
    sender_client_id TEXT COLLATE "C",
    recipient_client_id TEXT COLLATE "C" NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    devices INTEGER NOT NULL
  );
  CREATE INDEX notification_log_by_app ON notification_log (app_id, id);
  CREATE INDEX notification_log_by_recipient ON notification_log (app_id, recipient_client_id, id);
  CREATE INDEX notification_log_by_sender ON notification_log (app_id, sender_client_id, id);
  CREATE INDEX notification_log_by_time ON notification_log (created_at);
  CREATE TABLE nudge_slots (
    app_id TEXT COLLATE "C" NOT NULL,
    sender_client_id TEXT COLLATE "C" NOT NULL,
    recipient_client_id TEXT COLLATE "C" NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, sender_client_id, recipient_client_id)
  );
  CREATE INDEX nudge_slots_by_time ON nudge_slots (last_at);`;

interface Row {
  id: string;
  app_id: string;
  created_ms: string;
  kind: NotificationKind;
  channel: string;
  presence_channel: string;
  event: string;
  sender_client_id: string | null;
  recipient_client_id: string;
  outcome: NotificationOutcome;
  reason: string;
  devices: number;
}

const COLUMNS = `id, app_id, ${tsToMs('created_at')} AS created_ms, kind, channel, presence_channel,
  event, sender_client_id, recipient_client_id, outcome, reason, devices`;

function recordOf(r: Row): NotificationRecord {
  return {
    appId: fromDb(r.app_id),
    id: Number(r.id),
    timestamp: Number(r.created_ms),
    kind: r.kind,
    channel: fromDb(r.channel),
    presenceChannel: fromDb(r.presence_channel),
    event: fromDb(r.event),
    ...(r.sender_client_id === null ? {} : { senderClientId: fromDb(r.sender_client_id) }),
    recipientClientId: fromDb(r.recipient_client_id),
    outcome: r.outcome,
    reason: fromDb(r.reason),
    devices: r.devices,
  };
}

/** The NotificationStore over PostgreSQL (tables made by NOTIFICATIONS_MIGRATION). */
export function createNotificationsTable(
  pool: pg.Pool,
): Pick<
  Store,
  'appendNotification' | 'listNotifications' | 'claimNudge' | 'pruneNotifications' | 'pruneNudges'
> {
  return {
    async appendNotification(row) {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO notification_log (app_id, created_at, kind, channel, presence_channel, event,
           sender_client_id, recipient_client_id, outcome, reason, devices)
         VALUES ($1, ${msToTs('$2')}, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          toDb(row.appId),
          row.timestamp,
          row.kind,
          toDb(row.channel),
          toDb(row.presenceChannel),
          toDb(row.event),
          toDbOrNull(row.senderClientId),
          toDb(row.recipientClientId),
          row.outcome,
          toDb(row.reason),
          row.devices,
        ],
      );
      return { ...row, id: Number(rows[0]!.id) };
    },
    async listNotifications(q) {
      const p = params();
      const where = [`app_id = ${p.add(toDb(q.appId))}`];
      if (q.recipientClientId !== undefined)
        where.push(`recipient_client_id = ${p.add(toDb(q.recipientClientId))}`);
      if (q.senderClientId !== undefined)
        where.push(`sender_client_id = ${p.add(toDb(q.senderClientId))}`);
      if (q.since !== undefined) where.push(`created_at >= ${msToTs(p.add(q.since))}`);
      if (q.cursor !== undefined)
        where.push(`id < ${p.add(parseNotificationCursor(q.cursor) ?? 0)}::bigint`);
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM notification_log WHERE ${where.join(' AND ')}
         ORDER BY id DESC LIMIT ${p.add(q.limit + 1)}`,
        p.values,
      );
      return toPage(rows.map(recordOf), q.limit, (r) => String(r.id));
    },
    async claimNudge(key, now, intervalMs) {
      const slot = [toDb(key.appId), toDb(key.senderClientId), toDb(key.recipientClientId)];
      // The upsert only overwrites a slot whose window has passed; a row back means it did. Row
      // locking on the conflict makes two concurrent claims of one pair serialise.
      const taken = await pool.query(
        `INSERT INTO nudge_slots (app_id, sender_client_id, recipient_client_id, last_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (app_id, sender_client_id, recipient_client_id)
           DO UPDATE SET last_at = excluded.last_at WHERE nudge_slots.last_at <= $5
         RETURNING last_at`,
        [...slot, now, now - intervalMs],
      );
      if ((taken.rowCount ?? 0) > 0) return { allowed: true };
      const { rows } = await pool.query<{ last_at: string }>(
        `SELECT last_at FROM nudge_slots
         WHERE app_id = $1 AND sender_client_id = $2 AND recipient_client_id = $3`,
        slot,
      );
      const last = rows[0] ? Number(rows[0].last_at) : now;
      return { allowed: false, nextAllowedAt: last + intervalMs };
    },
    pruneNotifications: async (before, limit) =>
      (
        await pool.query(
          `DELETE FROM notification_log WHERE id IN
             (SELECT id FROM notification_log WHERE created_at < ${msToTs('$1')} LIMIT $2)`,
          [before, limit],
        )
      ).rowCount ?? 0,
    pruneNudges: async (before, limit) =>
      (
        await pool.query(
          `DELETE FROM nudge_slots WHERE ctid IN
             (SELECT ctid FROM nudge_slots WHERE last_at < $1 LIMIT $2)`,
          [before, limit],
        )
      ).rowCount ?? 0,
  };
}
