import type { PushDeviceRecord, PushSubscriptionRecord } from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

function device(id: string, clientId?: string, appId = 'a'): PushDeviceRecord {
  return {
    appId,
    id,
    platform: 'android',
    formFactor: 'phone',
    recipient: { transportType: 'fcm', registrationToken: `tok-${id}` },
    state: 'ACTIVE',
    identityTokenHash: `hash-${id}`,
    updatedAt: 1,
    metadata: { model: 'x' },
    ...(clientId === undefined ? {} : { clientId }),
  };
}

const sub = (channel: string, target: { deviceId: string } | { clientId: string }) =>
  ({ appId: 'a', channel, ...target }) as PushSubscriptionRecord;

/** The PushStore cases (RSH1b, RSH1c), called inside runStoreSuite's describe. */
export function pushStoreCases(factory: StoreFactory): void {
  it('push: saves, replaces, gets and filters devices by clientId (RSH1b)', async () => {
    const store = await factory.open();
    await store.savePushDevice(device('d2', 'alice'));
    await store.savePushDevice(device('d1', 'bob'));
    await store.savePushDevice(device('d3', 'alice'));
    await store.savePushDevice(device('d9', 'alice', 'other-app'));
    await store.savePushDevice({ ...device('d1', 'bob'), state: 'FAILED' });
    expect(await store.getPushDevice('a', 'd1')).toEqual({
      ...device('d1', 'bob'),
      state: 'FAILED',
    });
    expect(await store.getPushDevice('a', 'd9')).toBeUndefined();
    const alice = await store.listPushDevices({ appId: 'a', clientId: 'alice' }, { limit: 10 });
    expect(alice.items.map((d) => d.id)).toEqual(['d2', 'd3']);
    const one = await store.listPushDevices({ appId: 'a', deviceId: 'd3' }, { limit: 10 });
    expect(one.items.map((d) => d.id)).toEqual(['d3']);
    await store.close();
  });

  it('push: pages devices by id with a cursor', async () => {
    const store = await factory.open();
    for (const id of ['d4', 'd1', 'd3', 'd2', 'd5']) await store.savePushDevice(device(id));
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listPushDevices(
        { appId: 'a' },
        { limit: 2, ...(cursor ? { cursor } : {}) },
      );
      ids.push(...page.items.map((d) => d.id));
      cursor = page.next;
    } while (cursor);
    expect(ids).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    await store.close();
  });

  it('push: removing devices removes their device subscriptions (RSH1b5)', async () => {
    const store = await factory.open();
    await store.savePushDevice(device('d1', 'alice'));
    await store.savePushDevice(device('d2', 'bob'));
    await store.savePushSubscription(sub('news', { deviceId: 'd1' }));
    await store.savePushSubscription(sub('news', { deviceId: 'd2' }));
    await store.savePushSubscription(sub('news', { clientId: 'alice' }));
    expect(await store.removePushDevices({ appId: 'a', clientId: 'alice' })).toBe(1);
    expect(await store.getPushDevice('a', 'd1')).toBeUndefined();
    const left = await store.listPushSubscriptions({ appId: 'a' }, { limit: 10 });
    expect(left.items).toEqual([
      sub('news', { clientId: 'alice' }),
      sub('news', { deviceId: 'd2' }),
    ]);
    await store.close();
  });

  it('push: subscriptions save idempotently, filter, page and remove (RSH1c)', async () => {
    const store = await factory.open();
    await store.savePushSubscription(sub('b', { clientId: 'alice' }));
    await store.savePushSubscription(sub('a', { deviceId: 'd1' }));
    await store.savePushSubscription(sub('a', { clientId: 'alice' }));
    await store.savePushSubscription(sub('a', { clientId: 'alice' }));
    await store.savePushSubscription(sub('c', { deviceId: 'd2' }));
    const all = await store.listPushSubscriptions({ appId: 'a' }, { limit: 2 });
    expect(all.items).toEqual([sub('a', { clientId: 'alice' }), sub('a', { deviceId: 'd1' })]);
    const rest = await store.listPushSubscriptions({ appId: 'a' }, { limit: 5, cursor: all.next! });
    expect(rest.items).toEqual([sub('b', { clientId: 'alice' }), sub('c', { deviceId: 'd2' })]);
    const alice = await store.listPushSubscriptions(
      { appId: 'a', clientId: 'alice' },
      { limit: 9 },
    );
    expect(alice.items.map((s) => s.channel)).toEqual(['a', 'b']);
    const both = { appId: 'a', deviceId: 'd2', clientId: 'alice' };
    expect((await store.listPushSubscriptions(both, { limit: 9 })).items).toEqual([]);
    const either = await store.listPushSubscriptions({ ...both, anyTarget: true }, { limit: 9 });
    expect(either.items.map((s) => s.channel)).toEqual(['a', 'b', 'c']);
    const channels = await store.listPushChannels('a', { limit: 2 });
    expect(channels.items).toEqual(['a', 'b']);
    expect((await store.listPushChannels('a', { limit: 2, cursor: channels.next! })).items).toEqual(
      ['c'],
    );
    expect(await store.removePushSubscriptions({ appId: 'a', clientId: 'alice' })).toBe(2);
    expect((await store.listPushChannels('a', { limit: 9 })).items).toEqual(['a', 'c']);
    expect((await store.listPushChannels('other', { limit: 9 })).items).toEqual([]);
    await store.close();
  });

  it('push: devices and subscriptions survive a reopen', async () => {
    if (!factory.reopen) return;
    const store = await factory.open();
    await store.savePushDevice(device('d1', 'alice'));
    await store.savePushSubscription(sub('news', { deviceId: 'd1' }));
    await store.close();
    const again = await factory.reopen();
    expect(await again.getPushDevice('a', 'd1')).toEqual(device('d1', 'alice'));
    expect((await again.listPushChannels('a', { limit: 9 })).items).toEqual(['news']);
    await again.close();
  });
}
