import type Database from 'better-sqlite3';
import {
  DEFAULT_HEARTBEAT_CONFIG,
  type HeartbeatConfigRecord,
  type Store,
} from '@switchboard/server';

/** SSE heartbeat settings per channel type, seeded with the B2B platform's defaults. */
export const HEARTBEAT_CONFIG_MIGRATION = `CREATE TABLE heartbeat_config (
     channel_type TEXT PRIMARY KEY,
     heartbeat_interval_ms INTEGER NOT NULL,
     timeout_ms INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   ${DEFAULT_HEARTBEAT_CONFIG.map(
     (r) =>
       `INSERT INTO heartbeat_config VALUES ('${r.channelType}', ${r.intervalMs}, ${r.timeoutMs}, 0);`,
   ).join('\n   ')}`;

interface Row {
  channel_type: string;
  heartbeat_interval_ms: number;
  timeout_ms: number;
}

/** The heartbeat_config table over SQLite. */
export function createHeartbeatConfigTable(
  db: Database.Database,
): Pick<Store, 'listHeartbeatConfig' | 'saveHeartbeatConfig' | 'deleteHeartbeatConfig'> {
  const list = db.prepare<[], Row>(
    'SELECT channel_type, heartbeat_interval_ms, timeout_ms FROM heartbeat_config ORDER BY channel_type',
  );
  const save = db.prepare(
    `INSERT INTO heartbeat_config VALUES (?, ?, ?, ?)
     ON CONFLICT (channel_type) DO UPDATE SET heartbeat_interval_ms = excluded.heartbeat_interval_ms,
       timeout_ms = excluded.timeout_ms, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare('DELETE FROM heartbeat_config WHERE channel_type = ?');
  return {
    listHeartbeatConfig: async () =>
      list.all().map((r): HeartbeatConfigRecord => ({
        channelType: r.channel_type,
        intervalMs: r.heartbeat_interval_ms,
        timeoutMs: r.timeout_ms,
      })),
    saveHeartbeatConfig: async (r) =>
      void save.run(r.channelType, r.intervalMs, r.timeoutMs, Date.now()),
    deleteHeartbeatConfig: async (channelType) => remove.run(channelType).changes > 0,
  };
}
