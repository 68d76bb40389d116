import type pg from 'pg';
import {
  parseTimeCursor,
  type EventRecord,
  type EventSource,
  type Store,
} from '@switchboard/server';
import { serialQueue } from './serial-queue.js';
import { fromDb, toDb, toDbOrNull } from './text-codec.js';
import { msToTs, params, toPage, tsToMs } from './sql-helpers.js';

/** What `event_data` holds: who and how, never the payload. */
interface EventData {
  size: number;
  serial: string;
  clientId?: string;
  connectionId: string;
  source: EventSource;
}

interface Row {
  arrival: number;
  tenant_id: string;
  channel: string;
  event_type: string | null;
  event_data: EventData;
  published_ms: number;
}

const COLUMNS = `arrival, tenant_id, channel, event_type, event_data,
  ${tsToMs('published_at')} AS published_ms`;

function recordOf(r: Row): EventRecord & { arrival: number } {
  const d = r.event_data;
  return {
    arrival: r.arrival,
    appId: fromDb(r.tenant_id),
    channel: fromDb(r.channel),
    ...(r.event_type === null ? {} : { name: fromDb(r.event_type) }),
    serial: fromDb(d.serial),
    dataBytes: d.size,
    ...(d.clientId === undefined ? {} : { clientId: fromDb(d.clientId) }),
    connectionId: fromDb(d.connectionId),
    source: d.source,
    timestamp: r.published_ms,
  };
}

function dataOf(r: EventRecord): EventData {
  return {
    size: r.dataBytes,
    serial: toDb(r.serial),
    ...(r.clientId === undefined ? {} : { clientId: toDb(r.clientId) }),
    connectionId: toDb(r.connectionId),
    source: r.source,
  };
}

/** The audit log, as the B2B team's `realtime_events_log`: one row per published message. */
export function createEventsLogTable(
  pool: pg.Pool,
): Pick<Store, 'appendEvents' | 'listEvents' | 'pruneEvents'> {
  const inOrder = serialQueue();
  return {
    // One statement per batch, rows numbered in the order given (WITH ORDINALITY).
    appendEvents: (records) =>
      inOrder(async () => {
        if (records.length === 0) return;
        await pool.query(
          `INSERT INTO realtime_events_log (tenant_id, channel, event_type, event_data, published_at)
           SELECT t, c, e, d, ${msToTs('p')}
           FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::bigint[])
             WITH ORDINALITY AS u(t, c, e, d, p, n)
           ORDER BY n`,
          [
            records.map((r) => toDb(r.appId)),
            records.map((r) => toDb(r.channel)),
            records.map((r) => toDbOrNull(r.name)),
            records.map((r) => JSON.stringify(dataOf(r))),
            records.map((r) => r.timestamp),
          ],
        );
      }),
    async listEvents(q) {
      const p = params();
      const where = [`tenant_id = ${p.add(toDb(q.appId))}`];
      if (q.channel !== undefined) where.push(`channel = ${p.add(toDb(q.channel))}`);
      if (q.since !== undefined) where.push(`published_at >= ${msToTs(p.add(q.since))}`);
      if (q.until !== undefined) where.push(`published_at < ${msToTs(p.add(q.until))}`);
      const cursor = q.cursor === undefined ? undefined : parseTimeCursor(q.cursor);
      // A cursor is ours only if its tiebreak is an arrival number; anything else reads as none.
      const arrival = cursor && /^\d{1,15}$/.test(cursor.key) ? Number(cursor.key) : undefined;
      if (cursor && arrival !== undefined) {
        const time = msToTs(p.add(cursor.time));
        const op = q.backwards ? '<' : '>';
        where.push(`(published_at, arrival) ${op} (${time}, ${p.add(arrival)}::bigint)`);
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM realtime_events_log WHERE ${where.join(' AND ')}
         ORDER BY published_at ${order}, arrival ${order} LIMIT ${p.add(q.limit + 1)}`,
        p.values,
      );
      const page = toPage(rows.map(recordOf), q.limit, (r) => `${r.timestamp}:${r.arrival}`);
      return { ...page, items: page.items.map(({ arrival: _arrival, ...record }) => record) };
    },
    pruneEvents: async (before, limit) =>
      (
        await pool.query(
          `DELETE FROM realtime_events_log WHERE id IN
             (SELECT id FROM realtime_events_log WHERE published_at < ${msToTs('$1')} LIMIT $2)`,
          [before, limit],
        )
      ).rowCount ?? 0,
  };
}
