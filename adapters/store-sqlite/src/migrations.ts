import { ANNOTATIONS_MIGRATION } from './annotations-table.js';
import { HEARTBEAT_CONFIG_MIGRATION } from './heartbeat-config-table.js';
import { HISTORY_MIGRATION } from './history.js';
import { NOTIFICATIONS_MIGRATION } from './notifications-table.js';

/**
 * Versioned schema migrations, applied in order; `user_version` records the last applied.
 * Never edit one that has shipped: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE apps (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     record TEXT NOT NULL
   )`,
  // Token revocations (RSA17) and used TokenRequest nonces (RSA9) must outlive a restart, or a
  // revoked token or a replayed TokenRequest is accepted again. The time indexes serve pruning.
  `CREATE TABLE token_revocations (
     key_name TEXT NOT NULL,
     client_id TEXT NOT NULL,
     issued_before INTEGER NOT NULL,
     applies_at INTEGER NOT NULL,
     PRIMARY KEY (key_name, client_id)
   );
   CREATE INDEX token_revocations_by_issued_before ON token_revocations (issued_before);
   CREATE TABLE used_nonces (
     key_name TEXT NOT NULL,
     nonce TEXT NOT NULL,
     used_at INTEGER NOT NULL,
     PRIMARY KEY (key_name, nonce)
   );
   CREATE INDEX used_nonces_by_used_at ON used_nonces (used_at);`,
  // The operational tables (channel registry, audit log, connection stats, stats minutes). Each
  // index serves one query or the retention prune; the partial and expression indexes keep the
  // prunes from scanning rows they can never delete.
  `CREATE TABLE channel_registry (
     app_id TEXT NOT NULL,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     first_activity_at INTEGER NOT NULL,
     last_activity_at INTEGER NOT NULL,
     active INTEGER NOT NULL,
     PRIMARY KEY (app_id, name)
   );
   CREATE INDEX channel_registry_by_type ON channel_registry (app_id, type);
   CREATE INDEX channel_registry_inactive ON channel_registry (last_activity_at) WHERE active = 0;
   CREATE TABLE events_log (
     id INTEGER PRIMARY KEY,
     app_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     name TEXT,
     serial TEXT NOT NULL,
     data_bytes INTEGER NOT NULL,
     client_id TEXT,
     connection_id TEXT NOT NULL,
     source TEXT NOT NULL,
     timestamp INTEGER NOT NULL
   );
   CREATE INDEX events_log_by_app ON events_log (app_id, timestamp);
   CREATE INDEX events_log_by_channel ON events_log (app_id, channel, timestamp);
   CREATE INDEX events_log_by_time ON events_log (timestamp);
   CREATE TABLE connection_stats (
     connection_id TEXT PRIMARY KEY,
     app_id TEXT NOT NULL,
     client_id TEXT,
     transport TEXT NOT NULL,
     format TEXT NOT NULL,
     connected_at INTEGER NOT NULL,
     disconnected_at INTEGER,
     last_activity_at INTEGER NOT NULL,
     messages_in INTEGER NOT NULL,
     messages_out INTEGER NOT NULL,
     disconnect_reason TEXT
   );
   CREATE INDEX connection_stats_by_app ON connection_stats (app_id, connected_at, connection_id);
   CREATE INDEX connection_stats_open ON connection_stats (app_id, connected_at, connection_id)
     WHERE disconnected_at IS NULL;
   CREATE INDEX connection_stats_by_end
     ON connection_stats (coalesce(disconnected_at, last_activity_at));
   CREATE TABLE stats_minutes (
     app_id TEXT NOT NULL,
     minute INTEGER NOT NULL,
     entries TEXT NOT NULL,
     PRIMARY KEY (app_id, minute)
   );
   CREATE INDEX stats_minutes_by_minute ON stats_minutes (minute);`,
  HISTORY_MIGRATION,
  // Push devices and channel subscriptions (RSH1b, RSH1c). A subscription names a device or a
  // clientId (`kind`); the by-target indexes serve removal of a device and listing by target.
  `CREATE TABLE push_devices (
     app_id TEXT NOT NULL,
     id TEXT NOT NULL,
     client_id TEXT,
     record TEXT NOT NULL,
     PRIMARY KEY (app_id, id)
   );
   CREATE INDEX push_devices_by_client ON push_devices (app_id, client_id, id);
   CREATE TABLE push_subscriptions (
     app_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     kind TEXT NOT NULL,
     target_id TEXT NOT NULL,
     PRIMARY KEY (app_id, channel, kind, target_id)
   );
   CREATE INDEX push_subscriptions_by_target ON push_subscriptions (app_id, kind, target_id);`,
  // The notification log (`GET /notifications`) and the nudge limiter's slots, stored so that a
  // restart does not reopen a nudge window.
  NOTIFICATIONS_MIGRATION,
  // The push outbox: a push is written here before it is sent, so a restart during retries
  // resumes it. The partial index serves the due-rows scan; the other, pruning finished rows.
  `CREATE TABLE push_outbox (
     id TEXT PRIMARY KEY,
     app_id TEXT NOT NULL,
     delivery TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     last_error TEXT
   );
   CREATE INDEX push_outbox_due ON push_outbox (next_attempt_at, id) WHERE status = 'pending';
   CREATE INDEX push_outbox_by_update ON push_outbox (updated_at);`,
  // The webhook outbox: a batch (its rule and exact body) is written before it is sent, so a
  // restart during retries resumes it; indexes as for the push outbox.
  `CREATE TABLE webhook_outbox (
     id TEXT PRIMARY KEY,
     app_id TEXT NOT NULL,
     batch TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     last_error TEXT
   );
   CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, id) WHERE status = 'pending';
   CREATE INDEX webhook_outbox_by_update ON webhook_outbox (updated_at);`,
  // The dashboard's last deliveries per rule: an app's rows newest first.
  `CREATE INDEX webhook_outbox_by_app ON webhook_outbox (app_id, created_at);`,
  // SSE heartbeat interval and timeout per channel type, seeded with the B2B defaults.
  HEARTBEAT_CONFIG_MIGRATION,
  // Annotations of persisted channels' messages and their summaries, stored before the ACK.
  ANNOTATIONS_MIGRATION,
];
