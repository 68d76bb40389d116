import type pg from 'pg';
import type { Annotation } from '@switchboard/protocol';
import type { AnnotationBatch, Store, SummaryRecord } from '@switchboard/server';
import { replaceBytes, reviveBytes } from './json-bytes.js';
import { serialQueue } from './serial-queue.js';
import { toPage } from './sql-helpers.js';
import { fromDb, toDb } from './text-codec.js';
import { inTransaction } from './transaction.js';

/**
 * Annotations of persisted channels' messages, in the order they were appended (`id`), and each
 * message's latest summary, so both outlive a restart. JSON columns are text, as in
 * channel_history: JSON.stringify's escapes keep any value storable there.
 */
export const ANNOTATIONS_MIGRATION = `CREATE TABLE message_annotations (
     id BIGSERIAL PRIMARY KEY,
     app_id TEXT COLLATE "C" NOT NULL,
     channel TEXT COLLATE "C" NOT NULL,
     message_serial TEXT COLLATE "C" NOT NULL,
     timestamp BIGINT NOT NULL,
     annotation TEXT NOT NULL
   );
   CREATE INDEX message_annotations_by_message
     ON message_annotations (app_id, channel, message_serial, id);
   CREATE TABLE message_summaries (
     app_id TEXT COLLATE "C" NOT NULL,
     channel TEXT COLLATE "C" NOT NULL,
     message_serial TEXT COLLATE "C" NOT NULL,
     summary TEXT NOT NULL,
     timestamp BIGINT NOT NULL,
     PRIMARY KEY (app_id, channel, message_serial)
   );
   CREATE INDEX message_annotations_by_time ON message_annotations (timestamp);
   CREATE INDEX message_summaries_by_time ON message_summaries (timestamp);`;

async function writeBatch(client: pg.PoolClient, batch: AnnotationBatch): Promise<void> {
  const { annotations, summaries } = batch;
  if (annotations.length > 0)
    await client.query(
      `INSERT INTO message_annotations (app_id, channel, message_serial, timestamp, annotation)
       SELECT a, c, m, ts, an
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
         WITH ORDINALITY AS t(a, c, m, ts, an, n)
       ORDER BY n`,
      [
        annotations.map((r) => toDb(r.appId)),
        annotations.map((r) => toDb(r.channel)),
        annotations.map((r) => toDb(r.messageSerial)),
        annotations.map((r) => r.annotation.timestamp ?? 0),
        annotations.map((r) => JSON.stringify(r.annotation, replaceBytes)),
      ],
    );
  // One row per message: a later summary of the same message in the batch replaces an earlier.
  const latest = new Map<string, SummaryRecord>();
  for (const s of summaries) latest.set(`${s.appId}\n${s.channel}\n${s.messageSerial}`, s);
  const rows = [...latest.values()];
  if (rows.length > 0)
    await client.query(
      `INSERT INTO message_summaries (app_id, channel, message_serial, summary, timestamp)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (app_id, channel, message_serial)
       DO UPDATE SET summary = excluded.summary, timestamp = excluded.timestamp`,
      [
        rows.map((s) => toDb(s.appId)),
        rows.map((s) => toDb(s.channel)),
        rows.map((s) => toDb(s.messageSerial)),
        rows.map((s) => JSON.stringify(s.summary)),
        rows.map((s) => s.timestamp),
      ],
    );
}

/** The annotation tables over one PostgreSQL pool. */
export function createAnnotationsTable(
  pool: pg.Pool,
): Pick<Store, 'appendAnnotations' | 'listAnnotations' | 'readSummaries' | 'pruneAnnotations'> {
  // Group commits land in the order they were made, so `id` follows the publish order.
  const inOrder = serialQueue();
  return {
    appendAnnotations: (batch) =>
      inOrder(() => inTransaction(pool, (client) => writeBatch(client, batch))),
    async listAnnotations(q) {
      const { rows } = await pool.query<{ id: string; annotation: string }>(
        `SELECT id, annotation FROM message_annotations
         WHERE app_id = $1 AND channel = $2 AND message_serial = $3 AND id > $4
         ORDER BY id LIMIT $5`,
        [toDb(q.appId), toDb(q.channel), toDb(q.messageSerial), q.cursor ?? '0', q.limit + 1],
      );
      const page = toPage(rows, q.limit, (r) => String(r.id));
      const items = page.items.map((r) => JSON.parse(r.annotation, reviveBytes) as Annotation);
      return page.next === undefined ? { items } : { items, next: page.next };
    },
    async readSummaries(appId, channel, serials) {
      if (serials.length === 0) return [];
      const { rows } = await pool.query<{
        message_serial: string;
        summary: string;
        timestamp: string;
      }>(
        `SELECT message_serial, summary, timestamp FROM message_summaries
         WHERE app_id = $1 AND channel = $2 AND message_serial = ANY($3::text[])`,
        [toDb(appId), toDb(channel), serials.map(toDb)],
      );
      return rows.map((r) => ({
        appId,
        channel,
        messageSerial: fromDb(r.message_serial),
        summary: JSON.parse(r.summary) as Record<string, unknown>,
        timestamp: Number(r.timestamp),
      }));
    },
    async pruneAnnotations(before, limit) {
      const rows = await pool.query(
        `DELETE FROM message_annotations WHERE id IN
           (SELECT id FROM message_annotations WHERE timestamp < $1 LIMIT $2)`,
        [before, limit],
      );
      const deleted = rows.rowCount ?? 0;
      if (deleted >= limit) return deleted;
      const summaries = await pool.query(
        `DELETE FROM message_summaries WHERE ctid IN
           (SELECT ctid FROM message_summaries WHERE timestamp < $1 LIMIT $2)`,
        [before, limit - deleted],
      );
      return deleted + (summaries.rowCount ?? 0);
    },
  };
}
