import type { Message } from '@switchboard/protocol';
import type {
  ChannelStateRecord,
  HistoryItem,
  HistoryKind,
  HistoryQuery,
  HistoryStore,
  RecentMessageId,
} from './history.js';

interface Row extends HistoryItem {
  kind: HistoryKind;
}

const channelKey = (appId: string, channel: string): string => `${appId}\n${channel}`;

/** Whether a message changes an earlier one (it carries the operation's own version serial). */
export function isOperationItem(item: object): boolean {
  return (item as Message).version?.serial !== undefined;
}

/** Whether `next` is an older version than the stored `current` (see LatestVersionRecord). */
export function isOlderVersion(next: Message, current: Message | undefined): boolean {
  const was = current?.version?.serial;
  const now = next.version?.serial;
  return was !== undefined && now !== undefined && now < was;
}

/** Whether `row` is inside the query's bounds, not counting direction or limit. */
export function inQuery(row: HistoryItem, q: HistoryQuery): boolean {
  if (q.afterSeq !== undefined && row.seq <= q.afterSeq) return false;
  if (q.untilSeq !== undefined && row.seq > q.untilSeq) return false;
  if (q.start !== undefined && row.timestamp < q.start) return false;
  if (q.end !== undefined && row.timestamp > q.end) return false;
  if (q.from) {
    const cmp = row.seq - q.from.seq || row.index - q.from.index;
    if (q.backwards ? cmp > 0 : cmp < 0) return false;
  }
  return true;
}

/** The in-memory HistoryStore: the reference the SQLite and PostgreSQL adapters are held to. */
export function createMemoryHistory(): HistoryStore {
  const logs = new Map<string, Row[]>();
  const latest = new Map<string, Message>();
  const states = new Map<string, ChannelStateRecord>();
  return {
    async appendHistory(batch) {
      for (const entry of batch.entries) {
        const key = channelKey(entry.appId, entry.channel);
        let rows = logs.get(key);
        if (!rows) logs.set(key, (rows = []));
        entry.items.forEach((item, index) =>
          rows.push({
            kind: entry.kind,
            seq: entry.seq,
            index,
            timestamp: entry.timestamp,
            item: structuredClone(item),
          }),
        );
      }
      for (const l of batch.latest) {
        const key = `${channelKey(l.appId, l.channel)}\n${l.seq}:${l.index}`;
        if (isOlderVersion(l.message, latest.get(key))) continue;
        latest.set(key, structuredClone(l.message));
      }
      for (const s of batch.states) states.set(channelKey(s.appId, s.channel), { ...s });
    },
    listChannelStates: async () => [...states.values()].map((s) => ({ ...s })),
    async readHistory(q) {
      const key = channelKey(q.appId, q.channel);
      const rows = (logs.get(key) ?? []).filter(
        (r) => r.kind === q.kind && inQuery(r, q) && (q.asSent || !isOperationItem(r.item)),
      );
      if (q.backwards) rows.reverse();
      return rows.slice(0, q.limit).map((r) => {
        const newer = q.asSent ? undefined : latest.get(`${key}\n${r.seq}:${r.index}`);
        return {
          seq: r.seq,
          index: r.index,
          timestamp: r.timestamp,
          item: structuredClone(newer ?? r.item),
        };
      });
    },
    async recentMessageIds(since) {
      const ids: RecentMessageId[] = [];
      for (const [key, rows] of logs) {
        const [appId, channel] = key.split('\n') as [string, string];
        for (const r of rows) {
          const id = (r.item as Message).id;
          if (r.kind === 'message' && id !== undefined && r.timestamp >= since)
            ids.push({ appId, channel, id, timestamp: r.timestamp });
        }
      }
      return ids;
    },
    async pruneHistory(before, limit) {
      let deleted = 0;
      for (const [key, rows] of logs) {
        while (deleted < limit && rows.length > 0 && rows[0]!.timestamp < before) {
          rows.shift();
          deleted++;
        }
        if (rows.length === 0) logs.delete(key);
      }
      return deleted;
    },
  };
}
