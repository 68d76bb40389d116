import type Database from 'better-sqlite3';
import { parseTimeCursor, type EventRecord, type Store } from '@switchboard/server';
import { statementCache, toPage, withoutNulls } from './sql-helpers.js';

const COLUMNS = `id, app_id AS appId, channel, name, serial, data_bytes AS dataBytes,
  client_id AS clientId, connection_id AS connectionId, source, timestamp`;

/** The audit log: one row per published message, in arrival order (the rowid). */
export function createEventsLogTable(
  db: Database.Database,
): Pick<Store, 'appendEvents' | 'listEvents' | 'pruneEvents'> {
  const prepare = statementCache(db);
  const insert = db.prepare(
    `INSERT INTO events_log
       (app_id, channel, name, serial, data_bytes, client_id, connection_id, source, timestamp)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // One transaction per batch: a thousand rows cost about one fsync-free commit, not a thousand.
  const appendAll = db.transaction((records: readonly EventRecord[]) => {
    for (const r of records) {
      insert.run(
        r.appId,
        r.channel,
        r.name ?? null,
        r.serial,
        r.dataBytes,
        r.clientId ?? null,
        r.connectionId,
        r.source,
        r.timestamp,
      );
    }
  });
  const prune = db.prepare(
    `DELETE FROM events_log WHERE id IN
       (SELECT id FROM events_log WHERE timestamp < ? LIMIT ?)`,
  );
  return {
    appendEvents: async (records) => appendAll(records),
    async listEvents(q) {
      const where = ['app_id = @appId'];
      const params: Record<string, unknown> = { appId: q.appId, limit: q.limit + 1 };
      if (q.channel !== undefined) {
        where.push('channel = @channel');
        params.channel = q.channel;
      }
      if (q.since !== undefined) {
        where.push('timestamp >= @since');
        params.since = q.since;
      }
      if (q.until !== undefined) {
        where.push('timestamp < @until');
        params.until = q.until;
      }
      const cursor = q.cursor === undefined ? undefined : parseTimeCursor(q.cursor);
      if (cursor) {
        where.push(`(timestamp, id) ${q.backwards ? '<' : '>'} (@cursorTime, @cursorId)`);
        Object.assign(params, { cursorTime: cursor.time, cursorId: Number(cursor.key) });
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const rows = prepare(
        `SELECT ${COLUMNS} FROM events_log WHERE ${where.join(' AND ')}
         ORDER BY timestamp ${order}, id ${order} LIMIT @limit`,
      ).all(params) as Record<string, unknown>[];
      const page = toPage(
        rows.map((r) => withoutNulls<EventRecord & { id: number }>(r)),
        q.limit,
        (r) => `${r.timestamp}:${r.id}`,
      );
      return {
        ...page,
        items: page.items.map(({ id: _id, ...record }) => record),
      };
    },
    pruneEvents: async (before, limit) => prune.run(before, limit).changes,
  };
}
