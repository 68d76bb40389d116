import type Database from 'better-sqlite3';
import type { Annotation } from '@switchboard/protocol';
import type { Store, SummaryRecord } from '@switchboard/server';
import { replaceBytes, reviveBytes } from './history.js';

/**
 * Annotations of persisted channels' messages, in the order they were appended (`id`), and each
 * message's latest summary, so both outlive a restart.
 */
export const ANNOTATIONS_MIGRATION = `CREATE TABLE message_annotations (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     app_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     message_serial TEXT NOT NULL,
     timestamp INTEGER NOT NULL,
     annotation TEXT NOT NULL
   );
   CREATE INDEX message_annotations_by_message
     ON message_annotations (app_id, channel, message_serial, id);
   CREATE TABLE message_summaries (
     app_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     message_serial TEXT NOT NULL,
     summary TEXT NOT NULL,
     timestamp INTEGER NOT NULL,
     PRIMARY KEY (app_id, channel, message_serial)
   );
   CREATE INDEX message_annotations_by_time ON message_annotations (timestamp);
   CREATE INDEX message_summaries_by_time ON message_summaries (timestamp);`;

/** The annotation tables over SQLite. */
export function createAnnotationsTable(
  db: Database.Database,
): Pick<Store, 'appendAnnotations' | 'listAnnotations' | 'readSummaries' | 'pruneAnnotations'> {
  const insert = db.prepare(
    `INSERT INTO message_annotations (app_id, channel, message_serial, timestamp, annotation)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const saveSummary = db.prepare(
    `INSERT INTO message_summaries VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (app_id, channel, message_serial)
     DO UPDATE SET summary = excluded.summary, timestamp = excluded.timestamp`,
  );
  const page = db.prepare<
    [string, string, string, number, number],
    { id: number; annotation: string }
  >(
    `SELECT id, annotation FROM message_annotations
     WHERE app_id = ? AND channel = ? AND message_serial = ? AND id > ? ORDER BY id LIMIT ?`,
  );
  const summaryOf = db.prepare<[string, string, string], { summary: string; timestamp: number }>(
    'SELECT summary, timestamp FROM message_summaries WHERE app_id = ? AND channel = ? AND message_serial = ?',
  );
  const append = db.transaction((batch: Parameters<Store['appendAnnotations']>[0]) => {
    for (const r of batch.annotations)
      insert.run(
        r.appId,
        r.channel,
        r.messageSerial,
        r.annotation.timestamp ?? 0,
        JSON.stringify(r.annotation, replaceBytes),
      );
    for (const s of batch.summaries)
      saveSummary.run(s.appId, s.channel, s.messageSerial, JSON.stringify(s.summary), s.timestamp);
  });
  const pruneRows = db.prepare(
    'DELETE FROM message_annotations WHERE rowid IN (SELECT rowid FROM message_annotations WHERE timestamp < ? LIMIT ?)',
  );
  const pruneSummaries = db.prepare(
    'DELETE FROM message_summaries WHERE rowid IN (SELECT rowid FROM message_summaries WHERE timestamp < ? LIMIT ?)',
  );
  return {
    appendAnnotations: async (batch) => append(batch),
    async pruneAnnotations(before, limit) {
      const deleted = pruneRows.run(before, limit).changes;
      return deleted + pruneSummaries.run(before, limit - deleted).changes;
    },
    async listAnnotations(q) {
      // One more row than the page tells whether another follows.
      const rows = page.all(
        q.appId,
        q.channel,
        q.messageSerial,
        Number(q.cursor ?? 0),
        q.limit + 1,
      );
      const items = rows
        .slice(0, q.limit)
        .map((r) => JSON.parse(r.annotation, reviveBytes) as Annotation);
      return rows.length > q.limit ? { items, next: String(rows[q.limit - 1]!.id) } : { items };
    },
    async readSummaries(appId, channel, serials) {
      return serials.flatMap((messageSerial): SummaryRecord[] => {
        const row = summaryOf.get(appId, channel, messageSerial);
        if (!row) return [];
        const summary = JSON.parse(row.summary) as Record<string, unknown>;
        return [{ appId, channel, messageSerial, summary, timestamp: row.timestamp }];
      });
    },
  };
}
