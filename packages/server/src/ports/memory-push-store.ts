import { compareNames } from './audit-store.js';
import type { StorePage } from './audit-store.js';
import {
  parseSubscriptionCursor,
  subscriptionCursor,
  subscriptionKey,
  subscriptionMatches,
  type PushDeviceFilter,
  type PushDeviceRecord,
  type PushPageQuery,
  type PushStore,
  type PushSubscriptionRecord,
} from './push-store.js';

const deviceMatches = (d: PushDeviceRecord, f: PushDeviceFilter): boolean =>
  d.appId === f.appId &&
  (f.deviceId === undefined || d.id === f.deviceId) &&
  (f.clientId === undefined || d.clientId === f.clientId);

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareNames(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

/** Sorted rows after the cursor, `limit` of them, with the next cursor when more follow. */
function page<T>(
  sorted: T[],
  q: PushPageQuery,
  key: (row: T) => string[],
  cursorKey: string[] | undefined,
  cursorOf: (row: T) => string,
): StorePage<T> {
  const after = cursorKey ? sorted.filter((r) => compareKeys(key(r), cursorKey) > 0) : sorted;
  const items = after.slice(0, q.limit);
  const last = items[items.length - 1];
  return after.length > q.limit && last !== undefined ? { items, next: cursorOf(last) } : { items };
}

/** The reference PushStore: devices and subscriptions in memory, gone on restart. */
export function createMemoryPushStore(): PushStore {
  const devices = new Map<string, PushDeviceRecord>();
  const subscriptions = new Map<string, PushSubscriptionRecord>();
  const deviceKey = (appId: string, id: string): string => `${appId}\n${id}`;
  const subKey = (s: PushSubscriptionRecord): string => [s.appId, ...subscriptionKey(s)].join('\n');
  const matchingSubs = (f: Parameters<PushStore['listPushSubscriptions']>[0]) =>
    [...subscriptions.values()]
      .filter((s) => subscriptionMatches(s, f))
      .sort((a, b) => compareKeys(subscriptionKey(a), subscriptionKey(b)));
  return {
    savePushDevice: async (d) => void devices.set(deviceKey(d.appId, d.id), structuredClone(d)),
    async getPushDevice(appId, id) {
      const d = devices.get(deviceKey(appId, id));
      return d && structuredClone(d);
    },
    async listPushDevices(filter, q) {
      const rows = [...devices.values()]
        .filter((d) => deviceMatches(d, filter))
        .sort((a, b) => compareNames(a.id, b.id));
      const result = page(
        rows,
        q,
        (d) => [d.id],
        q.cursor === undefined ? undefined : [q.cursor],
        (d) => d.id,
      );
      return { ...result, items: result.items.map((d) => structuredClone(d)) };
    },
    async removePushDevices(filter) {
      let removed = 0;
      for (const [key, d] of devices) {
        if (!deviceMatches(d, filter)) continue;
        devices.delete(key);
        removed++;
        for (const [sk, s] of subscriptions)
          if (s.appId === d.appId && s.deviceId === d.id) subscriptions.delete(sk);
      }
      return removed;
    },
    savePushSubscription: async (s) => void subscriptions.set(subKey(s), { ...s }),
    async listPushSubscriptions(filter, q) {
      const cursorKey = q.cursor === undefined ? undefined : parseSubscriptionCursor(q.cursor);
      const result = page(matchingSubs(filter), q, subscriptionKey, cursorKey, subscriptionCursor);
      return { ...result, items: result.items.map((s) => ({ ...s })) };
    },
    async removePushSubscriptions(filter) {
      const matched = matchingSubs(filter);
      for (const s of matched) subscriptions.delete(subKey(s));
      return matched.length;
    },
    async listPushChannels(appId, q) {
      const names = [
        ...new Set(
          [...subscriptions.values()].filter((s) => s.appId === appId).map((s) => s.channel),
        ),
      ].sort(compareNames);
      return page(
        names,
        q,
        (n) => [n],
        q.cursor === undefined ? undefined : [q.cursor],
        (n) => n,
      );
    },
  };
}
