import {
  compareNames,
  parseTimeCursor,
  type AuditStore,
  type ChannelRecord,
  type ConnectionStatsRecord,
  type EventRecord,
  type StatsMinuteRecord,
} from './audit-store.js';
import { pageRows, pruneMap } from './memory-paging.js';

const within = (t: number, since = -Infinity, until = Infinity): boolean => t >= since && t < until;
const byTime = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** The operational tables in memory: the reference behaviour the SQL stores must match. */
export function createMemoryAuditStore(): AuditStore {
  const channels = new Map<string, ChannelRecord>();
  // Keyed by arrival number, which breaks timestamp ties the way an autoincrement id does.
  const events = new Map<number, EventRecord>();
  const eventIds = new WeakMap<EventRecord, number>();
  let nextEventId = 1;
  const connections = new Map<string, ConnectionStatsRecord>();
  const minutes = new Map<string, StatsMinuteRecord>();
  const idOf = (e: EventRecord): number => eventIds.get(e) ?? 0;

  return {
    async saveChannels(records) {
      for (const r of records) {
        const key = `${r.appId}\n${r.name}`;
        const old = channels.get(key);
        const firstActivityAt = old
          ? Math.min(old.firstActivityAt, r.firstActivityAt)
          : r.firstActivityAt;
        channels.set(key, { ...r, firstActivityAt });
      }
    },
    async listChannels(q) {
      const prefix = q.prefix ?? '';
      const rows = [...channels.values()].filter(
        (c) => c.appId === q.appId && c.name.startsWith(prefix) && (!q.activeOnly || c.active),
      );
      return pageRows(
        rows.map((c) => ({ ...c })),
        q,
        (a, b) => compareNames(a.name, b.name),
        (c) => c.name,
        (c, cursor) => compareNames(c.name, cursor),
      );
    },
    async deactivateChannels() {
      let n = 0;
      for (const c of channels.values()) {
        if (!c.active) continue;
        c.active = false;
        n++;
      }
      return n;
    },
    pruneChannels: async (before, limit) =>
      pruneMap(channels, (c) => !c.active && c.lastActivityAt < before, limit),

    async appendEvents(records) {
      for (const r of records) {
        const row = { ...r };
        eventIds.set(row, nextEventId);
        events.set(nextEventId++, row);
      }
    },
    async listEvents(q) {
      const rows = [...events.values()].filter(
        (e) =>
          e.appId === q.appId &&
          (q.channel === undefined || e.channel === q.channel) &&
          within(e.timestamp, q.since, q.until),
      );
      const page = pageRows(
        rows,
        q,
        (a, b) => byTime(a.timestamp, b.timestamp) || idOf(a) - idOf(b),
        (e) => `${e.timestamp}:${idOf(e)}`,
        (e, cursor) => {
          const c = parseTimeCursor(cursor);
          return c ? byTime(e.timestamp, c.time) || idOf(e) - Number(c.key) : 1;
        },
      );
      return { ...page, items: page.items.map((e) => ({ ...e })) };
    },
    pruneEvents: async (before, limit) => pruneMap(events, (e) => e.timestamp < before, limit),

    async saveConnectionStats(records) {
      for (const r of records) connections.set(r.connectionId, { ...r });
    },
    async listConnectionStats(q) {
      const rows = [...connections.values()].filter(
        (c) =>
          c.appId === q.appId &&
          within(c.connectedAt, q.since, q.until) &&
          (!q.openOnly || c.disconnectedAt === undefined),
      );
      return pageRows(
        rows.map((c) => ({ ...c })),
        q,
        (a, b) =>
          byTime(a.connectedAt, b.connectedAt) || compareNames(a.connectionId, b.connectionId),
        (c) => `${c.connectedAt}:${c.connectionId}`,
        (c, cursor) => {
          const at = parseTimeCursor(cursor);
          return at ? byTime(c.connectedAt, at.time) || compareNames(c.connectionId, at.key) : 1;
        },
      );
    },
    pruneConnectionStats: async (before, limit) =>
      pruneMap(connections, (c) => (c.disconnectedAt ?? c.lastActivityAt) < before, limit),

    async saveStatsMinutes(records) {
      for (const r of records)
        minutes.set(`${r.appId}\n${r.minute}`, { ...r, entries: { ...r.entries } });
    },
    async listStatsMinutes(q) {
      const sign = q.backwards ? -1 : 1;
      return [...minutes.values()]
        .filter(
          (m) =>
            (q.appId === undefined || m.appId === q.appId) && within(m.minute, q.since, q.until),
        )
        .sort((a, b) => sign * (byTime(a.minute, b.minute) || compareNames(a.appId, b.appId)))
        .slice(0, q.limit ?? Infinity)
        .map((m) => ({ ...m, entries: { ...m.entries } }));
    },
    pruneStatsMinutes: async (before, limit) => pruneMap(minutes, (m) => m.minute < before, limit),
  };
}
