import type Database from 'better-sqlite3';
import type { PushDeviceFilter, PushDeviceRecord, Store } from '@switchboard/server';
import { statementCache, toPage } from './sql-helpers.js';

/** The WHERE clause and parameters of a device filter. */
function deviceWhere(filter: PushDeviceFilter): {
  where: string[];
  params: Record<string, unknown>;
} {
  const where = ['app_id = @appId'];
  const params: Record<string, unknown> = { appId: filter.appId };
  if (filter.deviceId !== undefined) {
    where.push('id = @deviceId');
    params.deviceId = filter.deviceId;
  }
  if (filter.clientId !== undefined) {
    where.push('client_id = @clientId');
    params.clientId = filter.clientId;
  }
  return { where, params };
}

/**
 * Push device registrations (RSH1b): one row per app and device id, the record as JSON text, the
 * clientId in its own column for the by-client filter.
 */
export function createPushDevicesTable(
  db: Database.Database,
): Pick<Store, 'savePushDevice' | 'getPushDevice' | 'listPushDevices' | 'removePushDevices'> {
  const prepare = statementCache(db);
  const upsert = db.prepare(
    `INSERT INTO push_devices (app_id, id, client_id, record) VALUES (?, ?, ?, ?)
     ON CONFLICT(app_id, id) DO UPDATE SET client_id = excluded.client_id, record = excluded.record`,
  );
  const getOne = db.prepare('SELECT record FROM push_devices WHERE app_id = ? AND id = ?');
  const parse = (row: { record: string }): PushDeviceRecord =>
    JSON.parse(row.record) as PushDeviceRecord;
  // A removed device's subscriptions go with it, in the same transaction.
  const remove = db.transaction((filter: PushDeviceFilter) => {
    const { where, params } = deviceWhere(filter);
    const clause = where.join(' AND ');
    prepare(
      `DELETE FROM push_subscriptions WHERE app_id = @appId AND kind = 'device' AND target_id IN
         (SELECT id FROM push_devices WHERE ${clause})`,
    ).run(params);
    return prepare(`DELETE FROM push_devices WHERE ${clause}`).run(params).changes;
  });
  return {
    savePushDevice: async (d) =>
      void upsert.run(d.appId, d.id, d.clientId ?? null, JSON.stringify(d)),
    async getPushDevice(appId, id) {
      const row = getOne.get(appId, id) as { record: string } | undefined;
      return row && parse(row);
    },
    async listPushDevices(filter, q) {
      const { where, params } = deviceWhere(filter);
      if (q.cursor !== undefined) {
        where.push('id > @cursor');
        params.cursor = q.cursor;
      }
      const rows = prepare(
        `SELECT record FROM push_devices WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`,
      ).all({ ...params, limit: q.limit + 1 }) as { record: string }[];
      return toPage(rows.map(parse), q.limit, (d) => d.id);
    },
    removePushDevices: async (filter) => remove(filter),
  };
}
