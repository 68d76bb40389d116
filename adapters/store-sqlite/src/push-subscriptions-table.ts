import type Database from 'better-sqlite3';
import {
  parseSubscriptionCursor,
  subscriptionCursor,
  type PushSubscriptionFilter,
  type PushSubscriptionRecord,
  type Store,
} from '@switchboard/server';
import { statementCache, toPage } from './sql-helpers.js';

interface Row {
  appId: string;
  channel: string;
  kind: string;
  targetId: string;
}

const COLUMNS = 'app_id AS appId, channel, kind, target_id AS targetId';

function toRecord(r: Row): PushSubscriptionRecord {
  return r.kind === 'device'
    ? { appId: r.appId, channel: r.channel, deviceId: r.targetId }
    : { appId: r.appId, channel: r.channel, clientId: r.targetId };
}

/** The WHERE clause of a subscription filter, mirroring `subscriptionMatches`. */
function subscriptionWhere(f: PushSubscriptionFilter): {
  where: string[];
  params: Record<string, unknown>;
} {
  const where = ['app_id = @appId'];
  const params: Record<string, unknown> = { appId: f.appId };
  if (f.channel !== undefined) {
    where.push('channel = @channel');
    params.channel = f.channel;
  }
  const device = "(kind = 'device' AND target_id = @deviceId)";
  const client = "(kind = 'client' AND target_id = @clientId)";
  if (f.deviceId !== undefined) params.deviceId = f.deviceId;
  if (f.clientId !== undefined) params.clientId = f.clientId;
  if (f.deviceId !== undefined && f.clientId !== undefined)
    where.push(f.anyTarget ? `(${device} OR ${client})` : '0');
  else if (f.deviceId !== undefined) where.push(device);
  else if (f.clientId !== undefined) where.push(client);
  return { where, params };
}

/** Channel push subscriptions (RSH1c): one row per app, channel and device or clientId. */
export function createPushSubscriptionsTable(
  db: Database.Database,
): Pick<
  Store,
  'savePushSubscription' | 'listPushSubscriptions' | 'removePushSubscriptions' | 'listPushChannels'
> {
  const prepare = statementCache(db);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO push_subscriptions (app_id, channel, kind, target_id)
     VALUES (?, ?, ?, ?)`,
  );
  return {
    async savePushSubscription(s) {
      const [kind, id] = s.deviceId !== undefined ? ['device', s.deviceId] : ['client', s.clientId];
      insert.run(s.appId, s.channel, kind, id);
    },
    async listPushSubscriptions(filter, q) {
      const { where, params } = subscriptionWhere(filter);
      const cursor = q.cursor === undefined ? undefined : parseSubscriptionCursor(q.cursor);
      if (cursor) {
        where.push('(channel, kind, target_id) > (@cChannel, @cKind, @cTarget)');
        Object.assign(params, { cChannel: cursor[0], cKind: cursor[1], cTarget: cursor[2] });
      }
      const rows = prepare(
        `SELECT ${COLUMNS} FROM push_subscriptions WHERE ${where.join(' AND ')}
         ORDER BY channel, kind, target_id LIMIT @limit`,
      ).all({ ...params, limit: q.limit + 1 }) as Row[];
      return toPage(rows.map(toRecord), q.limit, subscriptionCursor);
    },
    async removePushSubscriptions(filter) {
      const { where, params } = subscriptionWhere(filter);
      return prepare(`DELETE FROM push_subscriptions WHERE ${where.join(' AND ')}`).run(params)
        .changes;
    },
    async listPushChannels(appId, q) {
      const params: Record<string, unknown> = { appId, limit: q.limit + 1 };
      let after = '';
      if (q.cursor !== undefined) {
        after = 'AND channel > @cursor';
        params.cursor = q.cursor;
      }
      const rows = prepare(
        `SELECT DISTINCT channel FROM push_subscriptions WHERE app_id = @appId ${after}
         ORDER BY channel LIMIT @limit`,
      ).all(params) as { channel: string }[];
      return toPage(
        rows.map((r) => r.channel),
        q.limit,
        (c) => c,
      );
    },
  };
}
