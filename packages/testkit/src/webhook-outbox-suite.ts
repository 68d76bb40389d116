import type { WebhookOutboxRecord } from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

function row(id: string, nextAttemptAt: number, extra: Partial<WebhookOutboxRecord> = {}) {
  return {
    id,
    appId: 'a',
    // A body with non-ASCII text and an escaped NUL: it must come back byte for byte, or a
    // retry would sign different bytes than the first attempt did.
    batch: { ruleId: `rule-${id}`, body: `{"items":[{"data":"h\u00e9 \\u0000 ${id}"}]}` },
    status: 'pending',
    attempts: 0,
    nextAttemptAt,
    createdAt: 1,
    updatedAt: 1,
    ...extra,
  } satisfies WebhookOutboxRecord;
}

/** The webhook outbox cases, called inside runStoreSuite's describe. */
export function webhookOutboxCases(factory: StoreFactory): void {
  it('webhook outbox: enqueues, lists due pending rows earliest first, updates and gets', async () => {
    const store = await factory.open();
    await store.enqueueWebhookOutbox([row('r2', 20), row('r1', 10), row('r3', 30)]);
    await store.enqueueWebhookOutbox([row('r0', 5, { status: 'sent' })]);
    expect((await store.listDueWebhookOutbox(20, 10)).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(await store.listDueWebhookOutbox(100, 1)).toEqual([row('r1', 10)]);
    await store.updateWebhookOutbox({
      ...row('r1', 10),
      attempts: 1,
      nextAttemptAt: 50,
      updatedAt: 11,
      lastError: 'HTTP 500',
    });
    expect(await store.getWebhookOutbox('r1')).toEqual({
      ...row('r1', 50),
      attempts: 1,
      updatedAt: 11,
      lastError: 'HTTP 500',
    });
    expect((await store.listDueWebhookOutbox(40, 10)).map((r) => r.id)).toEqual(['r2', 'r3']);
    await store.updateWebhookOutbox({
      ...row('r1', 50),
      status: 'sent',
      attempts: 2,
      updatedAt: 60,
    });
    expect(await store.getWebhookOutbox('r1')).toEqual({
      ...row('r1', 50),
      status: 'sent',
      attempts: 2,
      updatedAt: 60,
    });
    expect(await store.getWebhookOutbox('nope')).toBeUndefined();
    await store.close();
  });

  it('webhook outbox: prunes finished rows only, in batches', async () => {
    const store = await factory.open();
    await store.enqueueWebhookOutbox([
      row('s1', 1, { status: 'sent', updatedAt: 5 }),
      row('f1', 1, { status: 'failed', updatedAt: 6, lastError: 'gone' }),
      row('s2', 1, { status: 'sent', updatedAt: 50 }),
      row('p1', 1, { updatedAt: 1 }),
    ]);
    expect(await store.pruneWebhookOutbox(10, 1)).toBe(1);
    expect(await store.pruneWebhookOutbox(10, 10)).toBe(1);
    expect(await store.getWebhookOutbox('s1')).toBeUndefined();
    expect(await store.getWebhookOutbox('f1')).toBeUndefined();
    expect(await store.getWebhookOutbox('s2')).toBeDefined();
    expect((await store.getWebhookOutbox('p1'))?.status).toBe('pending');
    await store.close();
  });

  it("webhook outbox: lists a rule's latest rows of any status, newest first, for its app only", async () => {
    const store = await factory.open();
    // The batch object is built body first: the store must still find it by rule.
    const bodyFirst = (id: string, ruleId: string, createdAt: number, appId = 'a') => ({
      ...row(id, 1, { createdAt, appId }),
      batch: { body: `{"n":"${id} \u0000"}`, ruleId },
    });
    await store.enqueueWebhookOutbox([
      bodyFirst('d1', 'rule-x', 10),
      bodyFirst('d2', 'rule-x', 30),
      bodyFirst('d3', 'rule-x', 20),
      bodyFirst('d4', 'rule-xy', 40),
      bodyFirst('d5', 'rule-x', 50, 'b'),
    ]);
    await store.updateWebhookOutbox({
      ...bodyFirst('d2', 'rule-x', 30),
      status: 'failed',
      attempts: 3,
      updatedAt: 35,
      lastError: 'HTTP 500',
    });
    const listed = await store.listWebhookDeliveries('a', 'rule-x', 10);
    expect(listed.map((r) => [r.id, r.status, r.attempts, r.lastError])).toEqual([
      ['d2', 'failed', 3, 'HTTP 500'],
      ['d3', 'pending', 0, undefined],
      ['d1', 'pending', 0, undefined],
    ]);
    expect(listed[0]!.batch).toEqual({ ruleId: 'rule-x', body: '{"n":"d2 \u0000"}' });
    expect((await store.listWebhookDeliveries('a', 'rule-x', 1)).map((r) => r.id)).toEqual(['d2']);
    expect(await store.listWebhookDeliveries('a', 'rule-', 10)).toEqual([]);
    expect((await store.listWebhookDeliveries('b', 'rule-x', 10)).map((r) => r.id)).toEqual(['d5']);
    await store.close();
  });

  it('webhook outbox: pending rows outlive a restart', async (ctx) => {
    if (!factory.reopen) return ctx.skip(); // an in-memory store has no restart to outlive
    const store = await factory.open();
    await store.enqueueWebhookOutbox([row('k1', 10)]);
    await store.close();
    const again = await factory.reopen();
    expect(await again.listDueWebhookOutbox(10, 10)).toEqual([row('k1', 10)]);
    await again.close();
  });
}
