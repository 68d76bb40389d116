import {
  createMemoryStore,
  type PushOutcome,
  type PushSender,
  type Store,
} from '@switchboard/server';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Ably, realtimeOptions } from './helpers.js';

const recipient = { transportType: 'expo', expoPushToken: 'ExponentPushToken[zzzz]' };
const payload = { notification: { title: 't', body: 'b' } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A memory store that remembers the ids of the outbox rows written to it. */
function watchedStore(): { store: Store; ids: string[] } {
  const store = createMemoryStore();
  const ids: string[] = [];
  const enqueue = store.enqueuePushOutbox.bind(store);
  store.enqueuePushOutbox = async (rows) => {
    ids.push(...rows.map((r) => r.id));
    await enqueue(rows);
  };
  return { store, ids };
}

/** A sender that answers every delivery with the given outcome, or throws. */
function scriptedSender(answer: PushOutcome | Error): PushSender & { calls: number } {
  const sender = {
    calls: 0,
    async send(deliveries: readonly unknown[]): Promise<PushOutcome[]> {
      sender.calls++;
      if (answer instanceof Error) throw answer;
      return deliveries.map(() => answer);
    },
  };
  return sender;
}

describe('push outbox', () => {
  let server: TestServer;
  afterEach(() => server.close());
  const limits = { pushMaxAttempts: 3, pushRetryBaseMs: 10, pushOutboxPollMs: 10 };
  const rest = () => new Ably.Rest(realtimeOptions(server, 'json', { key: server.key }));

  it('retries a passing fault a bounded number of times, then records the push failed', async () => {
    const { store, ids } = watchedStore();
    const sender = scriptedSender({ status: 'failed', reason: 'expo: 503', retryable: true });
    server = await startTestServer({ store, pushSender: sender, limits });
    await rest().push.admin.publish(recipient, payload);
    await sleep(300);
    expect(sender.calls).toBe(3);
    expect(await store.getPushOutbox(ids[0]!)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'expo: 503',
    });
  });

  it('does not retry a final failure, and records a success as sent', async () => {
    const { store, ids } = watchedStore();
    const sender = scriptedSender({ status: 'failed', reason: 'bad request' });
    server = await startTestServer({ store, pushSender: sender, limits });
    await rest().push.admin.publish(recipient, payload);
    await sleep(100);
    expect(sender.calls).toBe(1);
    expect(await store.getPushOutbox(ids[0]!)).toMatchObject({ status: 'failed', attempts: 1 });
    await server.close();
    const ok = watchedStore();
    server = await startTestServer({
      store: ok.store,
      pushSender: scriptedSender({ status: 'sent' }),
      limits,
    });
    await rest().push.admin.publish(recipient, payload);
    expect(await ok.store.getPushOutbox(ok.ids[0]!)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('survives a sender that throws: retried, then recorded failed, and the server still answers', async () => {
    const { store, ids } = watchedStore();
    const sender = scriptedSender(new Error('boom'));
    server = await startTestServer({ store, pushSender: sender, limits });
    await rest().push.admin.publish(recipient, payload);
    await sleep(300);
    expect(sender.calls).toBe(3);
    expect(await store.getPushOutbox(ids[0]!)).toMatchObject({ status: 'failed' });
    expect(await rest().time()).toBeGreaterThan(0);
  });
});
