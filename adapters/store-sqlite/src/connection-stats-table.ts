import type Database from 'better-sqlite3';
import { parseTimeCursor, type ConnectionStatsRecord, type Store } from '@switchboard/server';
import { statementCache, toPage, withoutNulls } from './sql-helpers.js';

const COLUMNS = `connection_id AS connectionId, app_id AS appId, client_id AS clientId, transport,
  format, connected_at AS connectedAt, disconnected_at AS disconnectedAt,
  last_activity_at AS lastActivityAt, messages_in AS messagesIn, messages_out AS messagesOut,
  disconnect_reason AS disconnectReason`;

/** Connection statistics: one row per realtime connection, rewritten as it goes. */
export function createConnectionStatsTable(
  db: Database.Database,
): Pick<Store, 'saveConnectionStats' | 'listConnectionStats' | 'pruneConnectionStats'> {
  const prepare = statementCache(db);
  const upsert = db.prepare(
    `INSERT INTO connection_stats (connection_id, app_id, client_id, transport, format,
       connected_at, disconnected_at, last_activity_at, messages_in, messages_out, disconnect_reason)
     VALUES (@connectionId, @appId, @clientId, @transport, @format, @connectedAt, @disconnectedAt,
       @lastActivityAt, @messagesIn, @messagesOut, @disconnectReason)
     ON CONFLICT(connection_id) DO UPDATE SET
       client_id = excluded.client_id, disconnected_at = excluded.disconnected_at,
       last_activity_at = excluded.last_activity_at, messages_in = excluded.messages_in,
       messages_out = excluded.messages_out, disconnect_reason = excluded.disconnect_reason`,
  );
  const saveAll = db.transaction((records: readonly ConnectionStatsRecord[]) => {
    for (const r of records) {
      upsert.run({
        ...r,
        clientId: r.clientId ?? null,
        disconnectedAt: r.disconnectedAt ?? null,
        disconnectReason: r.disconnectReason ?? null,
      });
    }
  });
  // The expression matches the connection_stats_by_end index, so each batch is an index range.
  const prune = db.prepare(
    `DELETE FROM connection_stats WHERE rowid IN
       (SELECT rowid FROM connection_stats
        WHERE coalesce(disconnected_at, last_activity_at) < ? LIMIT ?)`,
  );
  return {
    saveConnectionStats: async (records) => saveAll(records),
    async listConnectionStats(q) {
      const where = ['app_id = @appId'];
      const params: Record<string, unknown> = { appId: q.appId, limit: q.limit + 1 };
      if (q.since !== undefined) {
        where.push('connected_at >= @since');
        params.since = q.since;
      }
      if (q.until !== undefined) {
        where.push('connected_at < @until');
        params.until = q.until;
      }
      if (q.openOnly) where.push('disconnected_at IS NULL');
      const cursor = q.cursor === undefined ? undefined : parseTimeCursor(q.cursor);
      if (cursor) {
        where.push(
          `(connected_at, connection_id) ${q.backwards ? '<' : '>'} (@cursorTime, @cursorId)`,
        );
        Object.assign(params, { cursorTime: cursor.time, cursorId: cursor.key });
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const rows = prepare(
        `SELECT ${COLUMNS} FROM connection_stats WHERE ${where.join(' AND ')}
         ORDER BY connected_at ${order}, connection_id ${order} LIMIT @limit`,
      ).all(params) as Record<string, unknown>[];
      return toPage(
        rows.map((r) => withoutNulls<ConnectionStatsRecord>(r)),
        q.limit,
        (r) => `${r.connectedAt}:${r.connectionId}`,
      );
    },
    pruneConnectionStats: async (before, limit) => prune.run(before, limit).changes,
  };
}
