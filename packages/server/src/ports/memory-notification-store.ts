import { pruneMap } from './memory-paging.js';
import {
  parseNotificationCursor,
  type NotificationRecord,
  type NotificationStore,
} from './notification-store.js';

/** The reference NotificationStore: log rows and nudge slots in memory, gone on restart. */
export function createMemoryNotificationStore(): NotificationStore {
  const rows = new Map<number, NotificationRecord>();
  const slots = new Map<string, number>();
  let lastId = 0;
  return {
    async appendNotification(row) {
      const record = { ...row, id: ++lastId };
      rows.set(record.id, record);
      return { ...record };
    },
    async listNotifications(q) {
      const below = q.cursor === undefined ? Infinity : (parseNotificationCursor(q.cursor) ?? 0);
      const matched = [...rows.values()]
        .filter(
          (r) =>
            r.appId === q.appId &&
            r.id < below &&
            (q.recipientClientId === undefined || r.recipientClientId === q.recipientClientId) &&
            (q.senderClientId === undefined || r.senderClientId === q.senderClientId) &&
            (q.since === undefined || r.timestamp >= q.since),
        )
        .sort((a, b) => b.id - a.id);
      const items = matched.slice(0, q.limit).map((r) => ({ ...r }));
      const last = items[items.length - 1];
      return matched.length > q.limit && last ? { items, next: String(last.id) } : { items };
    },
    async claimNudge(key, now, intervalMs) {
      const slot = JSON.stringify([key.appId, key.senderClientId, key.recipientClientId]);
      const last = slots.get(slot);
      if (last !== undefined && last > now - intervalMs)
        return { allowed: false, nextAllowedAt: last + intervalMs };
      slots.set(slot, now);
      return { allowed: true };
    },
    pruneNotifications: async (before, limit) => pruneMap(rows, (r) => r.timestamp < before, limit),
    pruneNudges: async (before, limit) => pruneMap(slots, (at) => at < before, limit),
  };
}
