import type { NewNotification } from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

function row(
  recipient: string,
  timestamp: number,
  extra: Partial<NewNotification> = {},
): NewNotification {
  return {
    appId: 'a',
    timestamp,
    kind: 'event',
    channel: 'session:1',
    presenceChannel: 'session:1:presence',
    event: 'partner.advanced',
    senderClientId: 'alice',
    recipientClientId: recipient,
    outcome: 'push',
    reason: 'not present; pushed to 1 of 1 devices',
    devices: 1,
    ...extra,
  };
}

const HOUR = 3_600_000;

/** The NotificationStore cases (log and nudge slots), called inside runStoreSuite's describe. */
export function notificationStoreCases(factory: StoreFactory): void {
  it('notifications: appends rows with increasing ids and lists them newest first, filtered', async () => {
    const store = await factory.open();
    const first = await store.appendNotification(row('bob', 1000));
    const second = await store.appendNotification(
      row('carol', 2000, { outcome: 'realtime', devices: 0 }),
    );
    const { senderClientId: _s, ...anonymous } = row('bob', 3000, { outcome: 'none', devices: 0 });
    await store.appendNotification(anonymous);
    await store.appendNotification({ ...row('bob', 4000), appId: 'other' });
    expect(second.id).toBeGreaterThan(first.id);
    const all = await store.listNotifications({ appId: 'a', limit: 10 });
    expect(all.items.map((r) => [r.recipientClientId, r.timestamp])).toEqual([
      ['bob', 3000],
      ['carol', 2000],
      ['bob', 1000],
    ]);
    // Optional fields read back absent, exactly as written.
    expect(all.items[0]).toEqual({ ...anonymous, id: all.items[0]!.id });
    expect(all.items[1]).toEqual({
      ...row('carol', 2000, { outcome: 'realtime', devices: 0 }),
      id: second.id,
    });
    const bob = await store.listNotifications({ appId: 'a', recipientClientId: 'bob', limit: 10 });
    expect(bob.items.map((r) => r.timestamp)).toEqual([3000, 1000]);
    const fromAlice = await store.listNotifications({
      appId: 'a',
      senderClientId: 'alice',
      limit: 10,
    });
    expect(fromAlice.items.map((r) => r.timestamp)).toEqual([2000, 1000]);
    const since = await store.listNotifications({ appId: 'a', since: 2000, limit: 10 });
    expect(since.items.map((r) => r.timestamp)).toEqual([3000, 2000]);
    await store.close();
  });

  it('notifications: pages the log with a cursor and prunes old rows in batches', async () => {
    const store = await factory.open();
    for (let t = 1; t <= 5; t++) await store.appendNotification(row('bob', t * 1000));
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listNotifications({
        appId: 'a',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((r) => r.timestamp));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([5000, 4000, 3000, 2000, 1000]);
    expect(await store.pruneNotifications(3500, 2)).toBe(2);
    expect(await store.pruneNotifications(3500, 2)).toBe(1);
    expect(await store.pruneNotifications(3500, 2)).toBe(0);
    const left = await store.listNotifications({ appId: 'a', limit: 10 });
    expect(left.items.map((r) => r.timestamp)).toEqual([5000, 4000]);
    await store.close();
  });

  it('nudges: one per sender and recipient per window, the answer naming when the next is allowed', async () => {
    const store = await factory.open();
    const key = { appId: 'a', senderClientId: 'alice', recipientClientId: 'bob' };
    expect(await store.claimNudge(key, 10 * HOUR, 6 * HOUR)).toEqual({ allowed: true });
    expect(await store.claimNudge(key, 11 * HOUR, 6 * HOUR)).toEqual({
      allowed: false,
      nextAllowedAt: 16 * HOUR,
    });
    // Other pairs and other apps have their own slots.
    expect(
      await store.claimNudge({ ...key, recipientClientId: 'carol' }, 11 * HOUR, 6 * HOUR),
    ).toEqual({ allowed: true });
    expect(await store.claimNudge({ ...key, appId: 'b' }, 11 * HOUR, 6 * HOUR)).toEqual({
      allowed: true,
    });
    // A refused nudge does not move the window; once it has passed the slot is taken again.
    expect(await store.claimNudge(key, 16 * HOUR, 6 * HOUR)).toEqual({ allowed: true });
    expect(await store.claimNudge(key, 17 * HOUR, 6 * HOUR)).toEqual({
      allowed: false,
      nextAllowedAt: 22 * HOUR,
    });
    expect(await store.pruneNudges(12 * HOUR, 10)).toBe(2);
    expect(await store.claimNudge(key, 18 * HOUR, 6 * HOUR)).toMatchObject({ allowed: false });
    await store.close();
  });

  it.skipIf(!factory.reopen)(
    'nudges: a taken slot survives a restart (durable stores only)',
    async () => {
      const store = await factory.open();
      const key = { appId: 'a', senderClientId: 'alice', recipientClientId: 'bob' };
      await store.claimNudge(key, 10 * HOUR, 6 * HOUR);
      await store.appendNotification(row('bob', 1000, { kind: 'nudge' }));
      await store.close();
      const again = await factory.reopen!();
      expect(await again.claimNudge(key, 12 * HOUR, 6 * HOUR)).toEqual({
        allowed: false,
        nextAllowedAt: 16 * HOUR,
      });
      expect((await again.listNotifications({ appId: 'a', limit: 10 })).items).toHaveLength(1);
      await again.close();
    },
  );
}
