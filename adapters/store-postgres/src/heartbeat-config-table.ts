import type pg from 'pg';
import type { HeartbeatConfigRecord, Store } from '@switchboard/server';

interface Row {
  channel_type: string;
  heartbeat_interval_ms: number;
  timeout_ms: number;
}

/**
 * The heartbeat settings live in the B2B team's own `realtime_heartbeat_config` (created and
 * seeded by the B2B tables migration): Switchboard reads and edits that table rather than keep a
 * second copy that their tools would not see.
 */
export function createHeartbeatConfigTable(
  pool: pg.Pool,
): Pick<Store, 'listHeartbeatConfig' | 'saveHeartbeatConfig' | 'deleteHeartbeatConfig'> {
  return {
    async listHeartbeatConfig() {
      const { rows } = await pool.query<Row>(
        `SELECT channel_type, heartbeat_interval_ms, timeout_ms FROM realtime_heartbeat_config
         ORDER BY channel_type COLLATE "C"`,
      );
      return rows.map((r): HeartbeatConfigRecord => ({
        channelType: r.channel_type,
        intervalMs: r.heartbeat_interval_ms,
        timeoutMs: r.timeout_ms,
      }));
    },
    async saveHeartbeatConfig(r) {
      await pool.query(
        `INSERT INTO realtime_heartbeat_config (channel_type, heartbeat_interval_ms, timeout_ms)
         VALUES ($1, $2, $3)
         ON CONFLICT (channel_type) DO UPDATE SET heartbeat_interval_ms = excluded.heartbeat_interval_ms,
           timeout_ms = excluded.timeout_ms, updated_at = now()`,
        [r.channelType, r.intervalMs, r.timeoutMs],
      );
    },
    async deleteHeartbeatConfig(channelType) {
      const result = await pool.query(
        'DELETE FROM realtime_heartbeat_config WHERE channel_type = $1',
        [channelType],
      );
      return (result.rowCount ?? 0) > 0;
    },
  };
}
