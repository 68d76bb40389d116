import type pg from 'pg';
import {
  parseSubscriptionCursor,
  subscriptionCursor,
  type PushDeviceFilter,
  type PushDeviceRecord,
  type PushSubscriptionFilter,
  type PushSubscriptionRecord,
  type Store,
} from '@switchboard/server';
import { params, toPage } from './sql-helpers.js';
import { fromDb, toDb, toDbOrNull } from './text-codec.js';
import { inTransaction } from './transaction.js';

/**
 * Push devices and channel subscriptions (RSH1b, RSH1c). A device is one JSON record per app and
 * id, with its clientId in a column for the by-client filter; a subscription names a device or a
 * clientId (`kind`).
 */
export const PUSH_MIGRATION = `
  CREATE TABLE push_devices (
    app_id TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    client_id TEXT COLLATE "C",
    record TEXT NOT NULL,
    PRIMARY KEY (app_id, id)
  );
  CREATE INDEX push_devices_by_client ON push_devices (app_id, client_id, id);
  CREATE TABLE push_subscriptions (
    app_id TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    target_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (app_id, channel, kind, target_id)
  );
  CREATE INDEX push_subscriptions_by_target ON push_subscriptions (app_id, kind, target_id);`;

type Params = ReturnType<typeof params>;

function deviceWhere(filter: PushDeviceFilter, p: Params): string[] {
  const where = [`app_id = ${p.add(toDb(filter.appId))}`];
  if (filter.deviceId !== undefined) where.push(`id = ${p.add(toDb(filter.deviceId))}`);
  if (filter.clientId !== undefined) where.push(`client_id = ${p.add(toDb(filter.clientId))}`);
  return where;
}

/** The WHERE clause of a subscription filter, mirroring the memory store's matching. */
function subscriptionWhere(f: PushSubscriptionFilter, p: Params): string[] {
  const where = [`app_id = ${p.add(toDb(f.appId))}`];
  if (f.channel !== undefined) where.push(`channel = ${p.add(toDb(f.channel))}`);
  const device = (): string => `(kind = 'device' AND target_id = ${p.add(toDb(f.deviceId!))})`;
  const client = (): string => `(kind = 'client' AND target_id = ${p.add(toDb(f.clientId!))})`;
  if (f.deviceId !== undefined && f.clientId !== undefined)
    where.push(f.anyTarget ? `(${device()} OR ${client()})` : 'false');
  else if (f.deviceId !== undefined) where.push(device());
  else if (f.clientId !== undefined) where.push(client());
  return where;
}

interface SubscriptionRow {
  app_id: string;
  channel: string;
  kind: string;
  target_id: string;
}

function toSubscription(r: SubscriptionRow): PushSubscriptionRecord {
  const base = { appId: fromDb(r.app_id), channel: fromDb(r.channel) };
  return r.kind === 'device'
    ? { ...base, deviceId: fromDb(r.target_id) }
    : { ...base, clientId: fromDb(r.target_id) };
}

/** The PushStore over PostgreSQL (tables made by PUSH_MIGRATION). */
export function createPushTables(
  pool: pg.Pool,
): Pick<
  Store,
  | 'savePushDevice'
  | 'getPushDevice'
  | 'listPushDevices'
  | 'removePushDevices'
  | 'savePushSubscription'
  | 'listPushSubscriptions'
  | 'removePushSubscriptions'
  | 'listPushChannels'
> {
  const parse = (r: { record: string }): PushDeviceRecord =>
    JSON.parse(r.record) as PushDeviceRecord;
  return {
    async savePushDevice(d) {
      await pool.query(
        `INSERT INTO push_devices (app_id, id, client_id, record) VALUES ($1, $2, $3, $4)
         ON CONFLICT (app_id, id) DO UPDATE SET client_id = excluded.client_id, record = excluded.record`,
        [toDb(d.appId), toDb(d.id), toDbOrNull(d.clientId), JSON.stringify(d)],
      );
    },
    async getPushDevice(appId, id) {
      const { rows } = await pool.query<{ record: string }>(
        'SELECT record FROM push_devices WHERE app_id = $1 AND id = $2',
        [toDb(appId), toDb(id)],
      );
      return rows[0] && parse(rows[0]);
    },
    async listPushDevices(filter, q) {
      const p = params();
      const where = deviceWhere(filter, p);
      if (q.cursor !== undefined) where.push(`id > ${p.add(toDb(q.cursor))}`);
      const { rows } = await pool.query<{ record: string }>(
        `SELECT record FROM push_devices WHERE ${where.join(' AND ')}
         ORDER BY id LIMIT ${p.add(q.limit + 1)}`,
        p.values,
      );
      return toPage(rows.map(parse), q.limit, (d) => d.id);
    },
    // A removed device's subscriptions go with it, in the same transaction.
    removePushDevices: (filter) =>
      inTransaction(pool, async (client) => {
        const p = params();
        const clause = deviceWhere(filter, p).join(' AND ');
        await client.query(
          `DELETE FROM push_subscriptions WHERE app_id = $1 AND kind = 'device' AND target_id IN
             (SELECT id FROM push_devices WHERE ${clause})`,
          p.values,
        );
        const removed = await client.query(`DELETE FROM push_devices WHERE ${clause}`, p.values);
        return removed.rowCount ?? 0;
      }),
    async savePushSubscription(s) {
      const [kind, id] = s.deviceId !== undefined ? ['device', s.deviceId] : ['client', s.clientId];
      await pool.query(
        `INSERT INTO push_subscriptions (app_id, channel, kind, target_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [toDb(s.appId), toDb(s.channel), kind, toDb(id)],
      );
    },
    async listPushSubscriptions(filter, q) {
      const p = params();
      const where = subscriptionWhere(filter, p);
      const cursor = q.cursor === undefined ? undefined : parseSubscriptionCursor(q.cursor);
      if (cursor) {
        where.push(
          `(channel, kind, target_id) > (${p.add(toDb(cursor[0]))}, ${p.add(cursor[1])}, ${p.add(toDb(cursor[2]))})`,
        );
      }
      const { rows } = await pool.query<SubscriptionRow>(
        `SELECT app_id, channel, kind, target_id FROM push_subscriptions
         WHERE ${where.join(' AND ')} ORDER BY channel, kind, target_id LIMIT ${p.add(q.limit + 1)}`,
        p.values,
      );
      return toPage(rows.map(toSubscription), q.limit, subscriptionCursor);
    },
    async removePushSubscriptions(filter) {
      const p = params();
      const where = subscriptionWhere(filter, p);
      const removed = await pool.query(
        `DELETE FROM push_subscriptions WHERE ${where.join(' AND ')}`,
        p.values,
      );
      return removed.rowCount ?? 0;
    },
    async listPushChannels(appId, q) {
      const p = params();
      const where = [`app_id = ${p.add(toDb(appId))}`];
      if (q.cursor !== undefined) where.push(`channel > ${p.add(toDb(q.cursor))}`);
      const { rows } = await pool.query<{ channel: string }>(
        `SELECT DISTINCT channel FROM push_subscriptions WHERE ${where.join(' AND ')}
         ORDER BY channel LIMIT ${p.add(q.limit + 1)}`,
        p.values,
      );
      return toPage(
        rows.map((r) => fromDb(r.channel)),
        q.limit,
        (c) => c,
      );
    },
  };
}
