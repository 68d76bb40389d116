import type pg from 'pg';
import { channelType, type ChannelRecord, type Store } from '@switchboard/server';
import { fromDb, toDb } from './text-codec.js';
import { msToTs, params, prefixUpperBound, toPage, tsToMs } from './sql-helpers.js';

interface Row {
  tenant_id: string;
  channel_name: string;
  channel_type: string;
  first_ms: number;
  last_ms: number;
  is_active: boolean;
}

const COLUMNS = `tenant_id, channel_name, channel_type, ${tsToMs('first_activity_at')} AS first_ms,
  ${tsToMs('last_activity_at')} AS last_ms, is_active`;

const recordOf = (r: Row): ChannelRecord => ({
  appId: fromDb(r.tenant_id),
  name: fromDb(r.channel_name),
  type: fromDb(r.channel_type),
  firstActivityAt: r.first_ms,
  lastActivityAt: r.last_ms,
  active: r.is_active,
});

/**
 * One row per app and name, as one statement can upsert each row only once: repeats of a channel
 * in a batch merge as successive upserts would (earliest first activity, latest state).
 */
function merged(records: readonly ChannelRecord[]): ChannelRecord[] {
  const byKey = new Map<string, ChannelRecord>();
  for (const r of records) {
    const key = `${r.appId}\n${r.name}`;
    const earlier = byKey.get(key);
    byKey.set(
      key,
      earlier ? { ...r, firstActivityAt: Math.min(earlier.firstActivityAt, r.firstActivityAt) } : r,
    );
  }
  // One lock order for every writer, so two nodes saving overlapping batches cannot deadlock.
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** The channel registry, as the B2B team's `realtime_channels` (tenant_id is the app id). */
export function createChannelRegistryTable(
  pool: pg.Pool,
): Pick<Store, 'saveChannels' | 'listChannels' | 'deactivateChannels' | 'pruneChannels'> {
  return {
    async saveChannels(records) {
      const rows = merged(records);
      if (rows.length === 0) return;
      // entity_id is what follows the type (`abc123` of `project:abc123`), as the notes use it.
      const entity = (name: string) =>
        channelType(name) === name ? null : toDb(name.slice(name.indexOf(':') + 1));
      // The earliest first activity wins, so a late or repeated write cannot move a channel's birth.
      await pool.query(
        `INSERT INTO realtime_channels (tenant_id, channel_name, channel_type, entity_id,
           is_active, first_activity_at, last_activity_at)
         SELECT t, n, ty, e, a, ${msToTs('f')}, ${msToTs('l')}
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[],
           $7::bigint[]) AS u(t, n, ty, e, a, f, l)
         ON CONFLICT (tenant_id, channel_name) DO UPDATE SET
           channel_type = excluded.channel_type,
           entity_id = excluded.entity_id,
           first_activity_at = least(realtime_channels.first_activity_at, excluded.first_activity_at),
           last_activity_at = excluded.last_activity_at,
           is_active = excluded.is_active,
           updated_at = now()`,
        [
          rows.map((r) => toDb(r.appId)),
          rows.map((r) => toDb(r.name)),
          rows.map((r) => toDb(r.type)),
          rows.map((r) => entity(r.name)),
          rows.map((r) => r.active),
          rows.map((r) => r.firstActivityAt),
          rows.map((r) => r.lastActivityAt),
        ],
      );
    },
    async listChannels(q) {
      const p = params();
      const where = [`tenant_id = ${p.add(toDb(q.appId))}`];
      if (q.prefix) {
        const prefix = toDb(q.prefix);
        const upper = prefixUpperBound(prefix);
        const at = p.add(prefix);
        // The range lets the unique index serve it; starts_with makes it exact.
        where.push(`channel_name >= ${at}`, `starts_with(channel_name, ${at})`);
        if (upper !== undefined) where.push(`channel_name < ${p.add(upper)}`);
      }
      if (q.activeOnly) where.push('is_active');
      if (q.cursor !== undefined)
        where.push(`channel_name ${q.backwards ? '<' : '>'} ${p.add(toDb(q.cursor))}`);
      const order = q.backwards ? 'DESC' : 'ASC';
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM realtime_channels WHERE ${where.join(' AND ')}
         ORDER BY channel_name ${order} LIMIT ${p.add(q.limit + 1)}`,
        p.values,
      );
      return toPage(rows.map(recordOf), q.limit, (r) => r.name);
    },
    deactivateChannels: async () =>
      (
        await pool.query(
          'UPDATE realtime_channels SET is_active = false, updated_at = now() WHERE is_active',
        )
      ).rowCount ?? 0,
    pruneChannels: async (before, limit) =>
      (
        await pool.query(
          `DELETE FROM realtime_channels WHERE id IN
             (SELECT id FROM realtime_channels
              WHERE NOT is_active AND last_activity_at < ${msToTs('$1')} LIMIT $2)`,
          [before, limit],
        )
      ).rowCount ?? 0,
  };
}
