import type Database from 'better-sqlite3';
import type { ChannelRecord, Store } from '@switchboard/server';
import { prefixUpperBound, statementCache, toPage } from './sql-helpers.js';

const COLUMNS = `app_id AS appId, name, type, first_activity_at AS firstActivityAt,
  last_activity_at AS lastActivityAt, active`;

/** The channel registry: one row per app and channel name. */
export function createChannelRegistryTable(
  db: Database.Database,
): Pick<Store, 'saveChannels' | 'listChannels' | 'deactivateChannels' | 'pruneChannels'> {
  const prepare = statementCache(db);
  // The earliest first activity wins, so a late or repeated write cannot move a channel's birth.
  const upsert = db.prepare(
    `INSERT INTO channel_registry (app_id, name, type, first_activity_at, last_activity_at, active)
     VALUES (@appId, @name, @type, @firstActivityAt, @lastActivityAt, @active)
     ON CONFLICT(app_id, name) DO UPDATE SET
       type = excluded.type,
       first_activity_at = min(first_activity_at, excluded.first_activity_at),
       last_activity_at = excluded.last_activity_at,
       active = excluded.active`,
  );
  const saveAll = db.transaction((records: readonly ChannelRecord[]) => {
    for (const r of records) upsert.run({ ...r, active: r.active ? 1 : 0 });
  });
  const deactivate = db.prepare('UPDATE channel_registry SET active = 0 WHERE active = 1');
  const prune = db.prepare(
    `DELETE FROM channel_registry WHERE rowid IN
       (SELECT rowid FROM channel_registry WHERE active = 0 AND last_activity_at < ? LIMIT ?)`,
  );
  return {
    saveChannels: async (records) => saveAll(records),
    async listChannels(q) {
      const where = ['app_id = @appId'];
      const params: Record<string, unknown> = { appId: q.appId, limit: q.limit + 1 };
      if (q.prefix) {
        const upper = prefixUpperBound(q.prefix);
        // substr counts code points, as Array.from does.
        where.push('name >= @prefix', 'substr(name, 1, @prefixLength) = @prefix');
        Object.assign(params, { prefix: q.prefix, prefixLength: Array.from(q.prefix).length });
        if (upper !== undefined) {
          where.push('name < @upper');
          params.upper = upper;
        }
      }
      if (q.activeOnly) where.push('active = 1');
      if (q.cursor !== undefined) {
        where.push(q.backwards ? 'name < @cursor' : 'name > @cursor');
        params.cursor = q.cursor;
      }
      const order = q.backwards ? 'DESC' : 'ASC';
      const rows = prepare(
        `SELECT ${COLUMNS} FROM channel_registry WHERE ${where.join(' AND ')}
         ORDER BY name ${order} LIMIT @limit`,
      ).all(params) as (Omit<ChannelRecord, 'active'> & { active: number })[];
      const records = rows.map((r) => ({ ...r, active: r.active === 1 }));
      return toPage(records, q.limit, (r) => r.name);
    },
    deactivateChannels: async () => deactivate.run().changes,
    pruneChannels: async (before, limit) => prune.run(before, limit).changes,
  };
}
