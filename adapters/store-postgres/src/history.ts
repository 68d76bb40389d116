import type pg from 'pg';
import type { Message, PresenceMessage } from '@switchboard/protocol';
import type {
  ChannelStateRecord,
  HistoryBatch,
  HistoryItem,
  HistoryQuery,
  HistoryStore,
  LatestVersionRecord,
} from '@switchboard/server';
import { inTransaction } from './transaction.js';
import { replaceBytes, reviveBytes } from './json-bytes.js';
import { serialQueue } from './serial-queue.js';
import { params } from './sql-helpers.js';
import { fromDb, toDb, toDbOrNull } from './text-codec.js';

/**
 * Persisted channels' logs, one row per message or presence event, and each channel's serial
 * state. A string `data` is kept in data_text and bytes in data_binary, so each comes back as
 * what it was. `latest` holds the newest version of a message that was updated, deleted or
 * appended to, so history reads it without replaying operations; `operation` marks the rows of
 * those operations, which history leaves out and a resume replays. JSON columns are text, not
 * jsonb, since JSON.stringify's escapes keep any value storable there.
 */
export const HISTORY_MIGRATION = `
  CREATE TABLE channel_history (
    app_id TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    seq BIGINT NOT NULL,
    idx INTEGER NOT NULL,
    timestamp BIGINT NOT NULL,
    action INTEGER,
    serial TEXT,
    id TEXT,
    name TEXT,
    client_id TEXT,
    connection_id TEXT,
    encoding TEXT,
    data_text TEXT,
    data_binary BYTEA,
    extras TEXT,
    version TEXT,
    operation BOOLEAN NOT NULL DEFAULT false,
    latest TEXT,
    PRIMARY KEY (app_id, channel, seq, idx)
  );
  CREATE INDEX channel_history_by_time ON channel_history (timestamp);
  CREATE TABLE channel_state (
    app_id TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    epoch TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (app_id, channel)
  );`;

interface Row {
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
  data_text: string | null;
  data_binary: Buffer | null;
  extras: string | null;
  version: string | null;
  latest: string | null;
}

type Item = Message & PresenceMessage;

/** Restores an item from its row; binary data comes back as a Buffer, text as a string. */
function itemOf(row: Row, latest: boolean): Message | PresenceMessage {
  if (latest && row.latest !== null) return JSON.parse(row.latest, reviveBytes) as Message;
  const item: Partial<Item> = {};
  if (row.id !== null) item.id = fromDb(row.id);
  if (row.name !== null) item.name = fromDb(row.name);
  if (row.client_id !== null) item.clientId = fromDb(row.client_id);
  if (row.connection_id !== null) item.connectionId = fromDb(row.connection_id);
  item.timestamp = row.timestamp;
  if (row.data_text !== null) item.data = fromDb(row.data_text);
  else if (row.data_binary !== null) item.data = row.data_binary;
  if (row.encoding !== null) item.encoding = fromDb(row.encoding);
  if (row.extras !== null) item.extras = JSON.parse(row.extras, reviveBytes);
  if (row.action !== null) item.action = row.action;
  if (row.serial !== null) item.serial = fromDb(row.serial);
  if (row.version !== null) item.version = JSON.parse(row.version) as Message['version'];
  return item as Message | PresenceMessage;
}

/** Column arrays for one unnest insert of every item of every entry, in order. */
function itemColumns(batch: HistoryBatch): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 18 }, () => []);
  for (const e of batch.entries) {
    e.items.forEach((raw, idx) => {
      const m = raw as Item;
      const values = [
        toDb(e.appId),
        toDb(e.channel),
        e.kind,
        e.seq,
        idx,
        m.timestamp ?? e.timestamp,
        m.action ?? null,
        toDbOrNull(m.serial),
        toDbOrNull(m.id),
        toDbOrNull(m.name),
        toDbOrNull(m.clientId),
        toDbOrNull(m.connectionId),
        toDbOrNull(m.encoding),
        typeof m.data === 'string' ? toDb(m.data) : null,
        m.data === undefined || typeof m.data === 'string'
          ? null
          : Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
        m.extras === undefined ? null : JSON.stringify(m.extras, replaceBytes),
        m.version === undefined ? null : JSON.stringify(m.version),
        m.version?.serial !== undefined,
      ];
      values.forEach((v, i) => columns[i]!.push(v));
    });
  }
  return columns;
}

/** The last latest version per message: one UPDATE … FROM may match each row only once. */
function lastLatest(records: readonly LatestVersionRecord[]): LatestVersionRecord[] {
  const byKey = new Map<string, LatestVersionRecord>();
  for (const l of records) byKey.set(`${l.appId}\n${l.channel}\n${l.seq}\n${l.index}`, l);
  return [...byKey.values()];
}

/** One state per channel, as successive upserts would leave it: last epoch, highest seq. */
function mergedStates(records: readonly ChannelStateRecord[]): ChannelStateRecord[] {
  const byKey = new Map<string, ChannelStateRecord>();
  for (const s of records) {
    const key = `${s.appId}\n${s.channel}`;
    const earlier = byKey.get(key);
    byKey.set(key, earlier ? { ...s, lastSeq: Math.max(earlier.lastSeq, s.lastSeq) } : s);
  }
  return [...byKey.values()];
}

async function writeBatch(client: pg.PoolClient, batch: HistoryBatch): Promise<void> {
  if (batch.entries.length > 0) {
    await client.query(
      `INSERT INTO channel_history (app_id, channel, kind, seq, idx, timestamp, action, serial, id,
         name, client_id, connection_id, encoding, data_text, data_binary, extras, version,
         operation)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[],
         $6::bigint[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
         $13::text[], $14::text[], $15::bytea[], $16::text[], $17::text[], $18::boolean[])
       ON CONFLICT DO NOTHING`,
      itemColumns(batch),
    );
  }
  const latest = lastLatest(batch.latest);
  if (latest.length > 0) {
    await client.query(
      // A version older than the stored one is not written (see LatestVersionRecord): serials
      // compare bytewise, whatever the database's collation.
      `UPDATE channel_history h SET latest = u.l
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::text[], $6::text[])
         AS u(a, c, s, i, l, v)
       WHERE h.app_id = u.a AND h.channel = u.c AND h.seq = u.s AND h.idx = u.i
         AND (u.v IS NULL OR h.latest IS NULL OR (h.latest::json #>> '{version,serial}') IS NULL
           OR (h.latest::json #>> '{version,serial}') COLLATE "C" <= u.v COLLATE "C")`,
      [
        latest.map((l) => toDb(l.appId)),
        latest.map((l) => toDb(l.channel)),
        latest.map((l) => l.seq),
        latest.map((l) => l.index),
        latest.map((l) => JSON.stringify(l.message, replaceBytes)),
        latest.map((l) => l.message.version?.serial ?? null),
      ],
    );
  }
  const states = mergedStates(batch.states);
  if (states.length > 0) {
    await client.query(
      `INSERT INTO channel_state (app_id, channel, epoch, last_seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (app_id, channel) DO UPDATE SET epoch = excluded.epoch,
         last_seq = greatest(channel_state.last_seq, excluded.last_seq)`,
      [
        states.map((s) => toDb(s.appId)),
        states.map((s) => toDb(s.channel)),
        states.map((s) => toDb(s.epoch)),
        states.map((s) => s.lastSeq),
      ],
    );
  }
}

/** The HistoryStore over one PostgreSQL pool (tables made by HISTORY_MIGRATION). */
export function createPostgresHistory(pool: pg.Pool): HistoryStore {
  // Group commits land in the order they were made, as the engine's serial order requires.
  const inOrder = serialQueue();
  return {
    appendHistory: (batch) =>
      inOrder(() => inTransaction(pool, (client) => writeBatch(client, batch))),
    async listChannelStates() {
      const { rows } = await pool.query<{
        app_id: string;
        channel: string;
        epoch: string;
        last_seq: number;
      }>('SELECT app_id, channel, epoch, last_seq FROM channel_state');
      return rows.map((r) => ({
        appId: fromDb(r.app_id),
        channel: fromDb(r.channel),
        epoch: fromDb(r.epoch),
        lastSeq: r.last_seq,
      }));
    },
    async readHistory(q: HistoryQuery): Promise<HistoryItem[]> {
      const p = params();
      const where = [
        `app_id = ${p.add(toDb(q.appId))}`,
        `channel = ${p.add(toDb(q.channel))}`,
        `kind = ${p.add(q.kind)}`,
      ];
      if (!q.asSent) where.push('NOT operation');
      if (q.afterSeq !== undefined) where.push(`seq > ${p.add(q.afterSeq)}`);
      if (q.untilSeq !== undefined) where.push(`seq <= ${p.add(q.untilSeq)}`);
      if (q.start !== undefined) where.push(`timestamp >= ${p.add(q.start)}`);
      if (q.end !== undefined) where.push(`timestamp <= ${p.add(q.end)}`);
      if (q.from) {
        const at = `(${p.add(q.from.seq)}::bigint, ${p.add(q.from.index)}::int)`;
        where.push(`(seq, idx) ${q.backwards ? '<=' : '>='} ${at}`);
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const { rows } = await pool.query<Row>(
        `SELECT seq, idx, timestamp, action, serial, id, name, client_id, connection_id, encoding,
           data_text, data_binary, extras, version, ${q.asSent ? 'NULL AS latest' : 'latest'}
         FROM channel_history WHERE ${where.join(' AND ')}
         ORDER BY seq ${order}, idx ${order} LIMIT ${p.add(q.limit)}`,
        p.values,
      );
      return rows.map((row) => ({
        seq: row.seq,
        index: row.idx,
        timestamp: row.timestamp,
        item: itemOf(row, !q.asSent),
      }));
    },
    pruneHistory: async (before, limit) =>
      (
        await pool.query(
          `DELETE FROM channel_history WHERE ctid IN
             (SELECT ctid FROM channel_history WHERE timestamp < $1 LIMIT $2)`,
          [before, limit],
        )
      ).rowCount ?? 0,
    async recentMessageIds(since) {
      const { rows } = await pool.query<{
        app_id: string;
        channel: string;
        id: string;
        timestamp: number;
      }>(
        `SELECT app_id, channel, id, timestamp FROM channel_history
         WHERE timestamp >= $1 AND kind = 'message' AND id IS NOT NULL`,
        [since],
      );
      return rows.map((r) => ({
        appId: fromDb(r.app_id),
        channel: fromDb(r.channel),
        id: fromDb(r.id),
        timestamp: r.timestamp,
      }));
    },
  };
}
