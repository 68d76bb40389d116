import type pg from 'pg';
import { parseTimeCursor, type ConnectionStatsRecord, type Store } from '@switchboard/server';
import { fromDb, toDb, toDbOrNull } from './text-codec.js';
import { msToTs, params, toPage, tsToMs } from './sql-helpers.js';

/** What `client_info` holds. */
interface ClientInfo {
  clientId?: string;
  transport: string;
  format: ConnectionStatsRecord['format'];
}

interface Row {
  connection_id: string;
  tenant_id: string;
  client_info: ClientInfo;
  connected_ms: number;
  disconnected_ms: number | null;
  last_ms: number;
  messages_in: number;
  messages_out: number;
  disconnect_reason: string | null;
}

const COLUMNS = `connection_id, tenant_id, client_info, ${tsToMs('connected_at')} AS connected_ms,
  ${tsToMs('disconnected_at')} AS disconnected_ms, ${tsToMs('last_heartbeat_at')} AS last_ms,
  messages_in, messages_out, disconnect_reason`;

function recordOf(r: Row): ConnectionStatsRecord {
  const info = r.client_info;
  return {
    connectionId: fromDb(r.connection_id),
    appId: fromDb(r.tenant_id),
    ...(info.clientId === undefined ? {} : { clientId: fromDb(info.clientId) }),
    transport: info.transport,
    format: info.format,
    connectedAt: r.connected_ms,
    ...(r.disconnected_ms === null ? {} : { disconnectedAt: r.disconnected_ms }),
    lastActivityAt: r.last_ms,
    messagesIn: r.messages_in,
    messagesOut: r.messages_out,
    ...(r.disconnect_reason === null ? {} : { disconnectReason: fromDb(r.disconnect_reason) }),
  };
}

/** The last write of each connection in a batch, in one lock order (see channel registry). */
function latestPerConnection(records: readonly ConnectionStatsRecord[]): ConnectionStatsRecord[] {
  const byId = new Map<string, ConnectionStatsRecord>();
  for (const r of records) byId.set(r.connectionId, r);
  return [...byId.values()].sort((a, b) =>
    a.connectionId < b.connectionId ? -1 : a.connectionId > b.connectionId ? 1 : 0,
  );
}

/**
 * Connection statistics, as the B2B team's `realtime_connection_stats`: last_heartbeat_at is the
 * last activity, message_count is computed from messages in and out.
 */
export function createConnectionStatsTable(
  pool: pg.Pool,
): Pick<Store, 'saveConnectionStats' | 'listConnectionStats' | 'pruneConnectionStats'> {
  return {
    async saveConnectionStats(records) {
      const rows = latestPerConnection(records);
      if (rows.length === 0) return;
      const info = (r: ConnectionStatsRecord): ClientInfo => ({
        ...(r.clientId === undefined ? {} : { clientId: toDb(r.clientId) }),
        transport: toDb(r.transport),
        format: r.format,
      });
      await pool.query(
        `INSERT INTO realtime_connection_stats (connection_id, tenant_id, client_info,
           connected_at, disconnected_at, last_heartbeat_at, messages_in, messages_out,
           disconnect_reason)
         SELECT c, t, i, ${msToTs('ca')}, ${msToTs('da')}, ${msToTs('la')}, mi, mo, dr
         FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[], $5::bigint[],
           $6::bigint[], $7::bigint[], $8::bigint[], $9::text[])
           AS u(c, t, i, ca, da, la, mi, mo, dr)
         ON CONFLICT (connection_id) DO UPDATE SET
           client_info = excluded.client_info, disconnected_at = excluded.disconnected_at,
           last_heartbeat_at = excluded.last_heartbeat_at, messages_in = excluded.messages_in,
           messages_out = excluded.messages_out, disconnect_reason = excluded.disconnect_reason`,
        [
          rows.map((r) => toDb(r.connectionId)),
          rows.map((r) => toDb(r.appId)),
          rows.map((r) => JSON.stringify(info(r))),
          rows.map((r) => r.connectedAt),
          rows.map((r) => r.disconnectedAt ?? null),
          rows.map((r) => r.lastActivityAt),
          rows.map((r) => r.messagesIn),
          rows.map((r) => r.messagesOut),
          rows.map((r) => toDbOrNull(r.disconnectReason)),
        ],
      );
    },
    async listConnectionStats(q) {
      const p = params();
      const where = [`tenant_id = ${p.add(toDb(q.appId))}`];
      if (q.since !== undefined) where.push(`connected_at >= ${msToTs(p.add(q.since))}`);
      if (q.until !== undefined) where.push(`connected_at < ${msToTs(p.add(q.until))}`);
      if (q.openOnly) where.push('disconnected_at IS NULL');
      const cursor = q.cursor === undefined ? undefined : parseTimeCursor(q.cursor);
      if (cursor) {
        const time = msToTs(p.add(cursor.time));
        const op = q.backwards ? '<' : '>';
        where.push(`(connected_at, connection_id) ${op} (${time}, ${p.add(toDb(cursor.key))})`);
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM realtime_connection_stats WHERE ${where.join(' AND ')}
         ORDER BY connected_at ${order}, connection_id ${order} LIMIT ${p.add(q.limit + 1)}`,
        p.values,
      );
      return toPage(rows.map(recordOf), q.limit, (r) => `${r.connectedAt}:${r.connectionId}`);
    },
    // The expression matches realtime_connection_stats_by_end, so each batch is an index range.
    pruneConnectionStats: async (before, limit) =>
      (
        await pool.query(
          `DELETE FROM realtime_connection_stats WHERE id IN
             (SELECT id FROM realtime_connection_stats
              WHERE coalesce(disconnected_at, last_heartbeat_at) < ${msToTs('$1')} LIMIT $2)`,
          [before, limit],
        )
      ).rowCount ?? 0,
  };
}
