import { ANNOTATIONS_MIGRATION } from './annotations-table.js';
import { PUSH_MIGRATION } from './push-tables.js';
import { PUSH_OUTBOX_MIGRATION } from './push-outbox-table.js';
import { WEBHOOK_OUTBOX_MIGRATION } from './webhook-outbox-table.js';
import { B2B_TABLES_MIGRATION } from './b2b-tables.js';
import { HISTORY_MIGRATION } from './history.js';
import { NOTIFICATIONS_MIGRATION } from './notifications-table.js';

/**
 * Versioned schema migrations, applied in order, each in the same transaction as its row in
 * `schema_migrations`. Never edit one that has shipped: append a new one.
 *
 * Client-given text is stored through `toDb` (text-codec.ts); names and ids that are ordered or
 * paged by use the "C" collation, so order is UTF-8 byte order as in the SQLite store, whatever
 * the database's default collation.
 */
export const MIGRATIONS: readonly string[] = [
  // Apps as one JSON record each (keys, namespaces, fixtures); app_keys shows the keys to SQL
  // readers without their secrets.
  `CREATE TABLE apps (
     id TEXT COLLATE "C" PRIMARY KEY,
     created_at BIGINT NOT NULL,
     record TEXT NOT NULL
   );
   CREATE VIEW app_keys AS
     SELECT a.id AS app_id, k ->> 'keyName' AS key_name, k ->> 'capability' AS capability,
            coalesce((k ->> 'revocableTokens')::boolean, false) AS revocable_tokens
     FROM apps a, jsonb_array_elements(a.record::jsonb -> 'keys') AS k;`,
  // Token revocations (RSA17) and used TokenRequest nonces (RSA9) must outlive a restart, or a
  // revoked token or a replayed TokenRequest is accepted again. The time indexes serve pruning.
  `CREATE TABLE token_revocations (
     key_name TEXT COLLATE "C" NOT NULL,
     client_id TEXT COLLATE "C" NOT NULL,
     issued_before BIGINT NOT NULL,
     applies_at BIGINT NOT NULL,
     PRIMARY KEY (key_name, client_id)
   );
   CREATE INDEX token_revocations_by_issued_before ON token_revocations (issued_before);
   CREATE TABLE used_nonces (
     key_name TEXT COLLATE "C" NOT NULL,
     nonce TEXT COLLATE "C" NOT NULL,
     used_at BIGINT NOT NULL,
     PRIMARY KEY (key_name, nonce)
   );
   CREATE INDEX used_nonces_by_used_at ON used_nonces (used_at);`,
  B2B_TABLES_MIGRATION,
  `CREATE TABLE stats_minutes (
     app_id TEXT COLLATE "C" NOT NULL,
     minute BIGINT NOT NULL,
     entries JSONB NOT NULL,
     PRIMARY KEY (app_id, minute)
   );
   CREATE INDEX stats_minutes_by_minute ON stats_minutes (minute);`,
  HISTORY_MIGRATION,
  PUSH_MIGRATION,
  NOTIFICATIONS_MIGRATION,
  PUSH_OUTBOX_MIGRATION,
  WEBHOOK_OUTBOX_MIGRATION,
  // The dashboard's last deliveries per rule: an app's rows newest first.
  `CREATE INDEX webhook_outbox_by_app ON webhook_outbox (app_id, created_at);`,
  // Annotations of persisted channels' messages and their summaries, stored before the ACK.
  ANNOTATIONS_MIGRATION,
];
