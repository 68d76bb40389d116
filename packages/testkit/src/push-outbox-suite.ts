import type { PushOutboxRecord } from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

function row(id: string, nextAttemptAt: number, extra: Partial<PushOutboxRecord> = {}) {
  return {
    id,
    appId: 'a',
    delivery: {
      appId: 'a',
      deviceId: `dev-${id}`,
      recipient: { transportType: 'expo', expoPushToken: `ExponentPushToken[${id}]` },
      payload: { notification: { title: 'hi', body: 'there' }, data: { n: 1 } },
    },
    status: 'pending',
    attempts: 0,
    nextAttemptAt,
    createdAt: 1,
    updatedAt: 1,
    ...extra,
  } satisfies PushOutboxRecord;
}

/** The push outbox cases, called inside runStoreSuite's describe. */
export function pushOutboxCases(factory: StoreFactory): void {
  it('push outbox: enqueues, lists due pending rows earliest first, updates and gets', async () => {
    const store = await factory.open();
    await store.enqueuePushOutbox([row('r2', 20), row('r1', 10), row('r3', 30)]);
    await store.enqueuePushOutbox([row('r0', 5, { status: 'sent' })]);
    expect((await store.listDuePushOutbox(20, 10)).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(await store.listDuePushOutbox(100, 1)).toEqual([row('r1', 10)]);
    await store.updatePushOutbox({
      ...row('r1', 10),
      attempts: 1,
      nextAttemptAt: 50,
      updatedAt: 11,
      lastError: 'expo: 500',
    });
    expect(await store.getPushOutbox('r1')).toEqual({
      ...row('r1', 50),
      attempts: 1,
      updatedAt: 11,
      lastError: 'expo: 500',
    });
    expect((await store.listDuePushOutbox(40, 10)).map((r) => r.id)).toEqual(['r2', 'r3']);
    await store.updatePushOutbox({ ...row('r1', 50), status: 'sent', attempts: 2, updatedAt: 60 });
    expect(await store.getPushOutbox('r1')).toEqual({
      ...row('r1', 50),
      status: 'sent',
      attempts: 2,
      updatedAt: 60,
    });
    expect(await store.getPushOutbox('nope')).toBeUndefined();
    await store.close();
  });

  it('push outbox: prunes finished rows only, in batches', async () => {
    const store = await factory.open();
    await store.enqueuePushOutbox([
      row('s1', 1, { status: 'sent', updatedAt: 5 }),
      row('f1', 1, { status: 'failed', updatedAt: 6, lastError: 'gone' }),
      row('s2', 1, { status: 'sent', updatedAt: 50 }),
      row('p1', 1, { updatedAt: 1 }),
    ]);
    expect(await store.prunePushOutbox(10, 1)).toBe(1);
    expect(await store.prunePushOutbox(10, 10)).toBe(1);
    expect(await store.getPushOutbox('s1')).toBeUndefined();
    expect(await store.getPushOutbox('f1')).toBeUndefined();
    expect(await store.getPushOutbox('s2')).toBeDefined();
    expect((await store.getPushOutbox('p1'))?.status).toBe('pending');
    await store.close();
  });

  it('push outbox: pending rows outlive a restart', async (ctx) => {
    if (!factory.reopen) return ctx.skip(); // an in-memory store has no restart to outlive
    const store = await factory.open();
    await store.enqueuePushOutbox([row('k1', 10)]);
    await store.close();
    const again = await factory.reopen();
    expect(await again.listDuePushOutbox(10, 10)).toEqual([row('k1', 10)]);
    await again.close();
  });
}
