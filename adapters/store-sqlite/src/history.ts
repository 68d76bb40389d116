import type Database from 'better-sqlite3';
import type { Message, PresenceMessage } from '@switchboard/protocol';
import type { HistoryItem, HistoryQuery, HistoryStore } from '@switchboard/server';

/**
 * Persisted channels' logs, one row per message or presence event, and each channel's serial
 * state. `latest` holds the newest version of a message that was updated, deleted or appended
 * to, so history reads it without replaying operations; `operation` marks the rows of those
 * operations, which history leaves out and a resume replays.
 */
export const HISTORY_MIGRATION = `
  CREATE TABLE channel_history (
    app_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    seq INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    action INTEGER,
    serial TEXT,
    id TEXT,
    name TEXT,
    client_id TEXT,
    connection_id TEXT,
    encoding TEXT,
    data,
    extras TEXT,
    version TEXT,
    operation INTEGER NOT NULL DEFAULT 0,
    latest TEXT,
    PRIMARY KEY (app_id, channel, seq, idx)
  );
  CREATE INDEX channel_history_by_time ON channel_history (timestamp);
  CREATE TABLE channel_state (
    app_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    epoch TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (app_id, channel)
  );`;

interface Row {
  kind: string;
  seq: number;
  idx: number;
  timestamp: number;
  action: number | null;
  serial: string | null;
  id: string | null;
  name: string | null;
  client_id: string | null;
  connection_id: string | null;
  encoding: string | null;
  data: string | Buffer | null;
  extras: string | null;
  version: string | null;
  latest: string | null;
}

type Item = Message & PresenceMessage;

/** Restores an item from its row; binary data comes back as a Buffer, text as a string. */
function itemOf(row: Row, latest: boolean): Message | PresenceMessage {
  if (latest && row.latest !== null) return JSON.parse(row.latest, reviveBytes) as Message;
  const item: Partial<Item> = {};
  if (row.id !== null) item.id = row.id;
  if (row.name !== null) item.name = row.name;
  if (row.client_id !== null) item.clientId = row.client_id;
  if (row.connection_id !== null) item.connectionId = row.connection_id;
  item.timestamp = row.timestamp;
  if (row.data !== null) item.data = row.data;
  if (row.encoding !== null) item.encoding = row.encoding;
  if (row.extras !== null) item.extras = JSON.parse(row.extras, reviveBytes);
  if (row.action !== null) item.action = row.action;
  if (row.serial !== null) item.serial = row.serial;
  if (row.version !== null) item.version = JSON.parse(row.version) as Message['version'];
  return item as Message | PresenceMessage;
}

/** JSON cannot carry bytes: a latest version's binary data is stored as `{ $bytes: base64 }`. */
export function replaceBytes(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    const data = (value as { data: number[] }).data;
    return { $bytes: Buffer.from(data).toString('base64') };
  }
  return value;
}

export function reviveBytes(_key: string, value: unknown): unknown {
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { $bytes?: unknown }).$bytes === 'string'
  )
    return Buffer.from((value as { $bytes: string }).$bytes, 'base64');
  return value;
}

function asBuffer(data: Item['data']): string | Buffer | null {
  if (data === undefined) return null;
  return typeof data === 'string'
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The HistoryStore over one SQLite database (tables made by HISTORY_MIGRATION). */
export function createSqliteHistory(db: Database.Database): HistoryStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO channel_history (app_id, channel, kind, seq, idx, timestamp, action,
       serial, id, name, client_id, connection_id, encoding, data, extras, version, operation)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const setLatest = db.prepare(
    // A version older than the stored one is not written (see LatestVersionRecord).
    `UPDATE channel_history SET latest = ?
     WHERE app_id = ? AND channel = ? AND seq = ? AND idx = ?
       AND (? IS NULL OR latest IS NULL OR json_extract(latest, '$.version.serial') IS NULL
         OR json_extract(latest, '$.version.serial') <= ?)`,
  );
  const setState = db.prepare(
    `INSERT INTO channel_state (app_id, channel, epoch, last_seq) VALUES (?, ?, ?, ?)
     ON CONFLICT(app_id, channel) DO UPDATE SET epoch = excluded.epoch,
       last_seq = MAX(channel_state.last_seq, excluded.last_seq)`,
  );
  const states = db.prepare(
    'SELECT app_id AS appId, channel, epoch, last_seq AS lastSeq FROM channel_state',
  );
  const recentIds = db.prepare(
    `SELECT app_id AS appId, channel, id, timestamp FROM channel_history
     WHERE timestamp >= ? AND kind = 'message' AND id IS NOT NULL`,
  );
  const prune = db.prepare(
    `DELETE FROM channel_history WHERE rowid IN
       (SELECT rowid FROM channel_history WHERE timestamp < ? LIMIT ?)`,
  );
  // A handful of query shapes exist (which bounds are set, which direction): prepare each once.
  const reads = new Map<string, Database.Statement>();
  const append = db.transaction((batch: Parameters<HistoryStore['appendHistory']>[0]) => {
    for (const e of batch.entries) {
      e.items.forEach((raw, idx) => {
        const m = raw as Item;
        insert.run(
          e.appId,
          e.channel,
          e.kind,
          e.seq,
          idx,
          m.timestamp ?? e.timestamp,
          m.action ?? null,
          m.serial ?? null,
          m.id ?? null,
          m.name ?? null,
          m.clientId ?? null,
          m.connectionId ?? null,
          m.encoding ?? null,
          asBuffer(m.data),
          m.extras === undefined ? null : JSON.stringify(m.extras, replaceBytes),
          m.version === undefined ? null : JSON.stringify(m.version),
          m.version?.serial !== undefined ? 1 : 0,
        );
      });
    }
    for (const l of batch.latest)
      setLatest.run(
        JSON.stringify(l.message, replaceBytes),
        l.appId,
        l.channel,
        l.seq,
        l.index,
        l.message.version?.serial ?? null,
        l.message.version?.serial ?? null,
      );
    for (const s of batch.states) setState.run(s.appId, s.channel, s.epoch, s.lastSeq);
  });

  return {
    appendHistory: async (batch) => append(batch),
    listChannelStates: async () =>
      states.all() as Awaited<ReturnType<HistoryStore['listChannelStates']>>,
    async readHistory(q: HistoryQuery): Promise<HistoryItem[]> {
      const where = ['app_id = ?', 'channel = ?', 'kind = ?'];
      const args: (string | number)[] = [q.appId, q.channel, q.kind];
      if (!q.asSent) where.push('operation = 0');
      const bound = (clause: string, value: number | undefined): void => {
        if (value === undefined) return;
        where.push(clause);
        args.push(value);
      };
      bound('seq > ?', q.afterSeq);
      bound('seq <= ?', q.untilSeq);
      bound('timestamp >= ?', q.start);
      bound('timestamp <= ?', q.end);
      if (q.from) {
        where.push(q.backwards ? '(seq, idx) <= (?, ?)' : '(seq, idx) >= (?, ?)');
        args.push(q.from.seq, q.from.index);
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const sql = `SELECT * FROM channel_history WHERE ${where.join(' AND ')}
           ORDER BY seq ${order}, idx ${order} LIMIT ?`;
      let statement = reads.get(sql);
      if (!statement) reads.set(sql, (statement = db.prepare(sql)));
      const rows = statement.all(...args, q.limit) as Row[];
      return rows.map((row) => ({
        seq: row.seq,
        index: row.idx,
        timestamp: row.timestamp,
        item: itemOf(row, !q.asSent),
      }));
    },
    pruneHistory: async (before, limit) => prune.run(before, limit).changes,
    recentMessageIds: async (since) =>
      recentIds.all(since) as Awaited<ReturnType<HistoryStore['recentMessageIds']>>,
  };
}
