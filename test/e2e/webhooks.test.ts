import { verifyWebhookSignature } from '@switchboard/kit';
import type { Limits } from '@switchboard/server';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Ably, connectionState, realtimeOptions } from './helpers.js';
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fast: Partial<Limits> = {
  webhookBatchMs: 50,
  webhookRetryBaseMs: 100,
  webhookRetryMaxMs: 400,
  webhookOutboxPollMs: 50,
};

/** Calls the webhook admin routes with the app's full-capability key (development mode). */
async function admin(server: TestServer, method: string, path = '', body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${server.port}/apps/${server.appId}/webhooks${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(server.key).toString('base64')}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const messageNames = (r: WebhookReceiver) =>
  r
    .items()
    .filter((i) => i.source === 'channel.message')
    .flatMap((i) => (i.data.messages as { name: string }[]).map((m) => m.name));

describe('webhooks', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  const clients: Ably.Realtime[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    await receiver?.down();
  });

  it('posts message, presence and lifecycle events enveloped, batched and signed with the key', async () => {
    receiver = await startReceiver();
    // A window wide enough that the three parallel publishes land in one batch on a busy machine.
    server = await startTestServer({ limits: { ...fast, webhookBatchMs: 250 } });
    const added = await admin(server, 'POST', '', {
      url: receiver.url,
      sources: ['channel.message', 'channel.presence', 'channel.lifecycle'],
      channelFilter: '^hooks:',
    });
    expect(added.status).toBe(201);
    const client = new Ably.Realtime(realtimeOptions(server, 'json', { clientId: 'ann' }));
    clients.push(client);
    await connectionState(client, 'connected');
    const channel = client.channels.get('hooks:room');
    await channel.attach();
    await channel.presence.enter({ mood: 'ok' });
    await Promise.all(['m1', 'm2', 'm3'].map((name) => channel.publish(name, { n: name })));
    await client.channels.get('elsewhere').publish('skipped', 'x');
    await receiver.waitFor(() => messageNames(receiver).length === 3);
    client.close();
    await receiver.waitFor(() => receiver.items().some((i) => i.name === 'channel.closed'));

    const secret = server.keys[0]!.secret;
    for (const hook of receiver.received) {
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.headers['x-ably-version']).toBeDefined();
      expect(hook.headers['x-ably-key']).toBe(server.keys[0]!.keyName);
      const signature = hook.headers['x-ably-signature'] as string;
      expect(verifyWebhookSignature(hook.body, signature, secret)).toBe(true);
      expect(verifyWebhookSignature(`${hook.body} `, signature, secret)).toBe(false);
    }
    const items = receiver.items();
    expect(items.map((i) => i.name)).toContain('channel.opened');
    const presence = items.filter((i) => i.source === 'channel.presence');
    expect(presence.flatMap((i) => i.data.presence as { clientId: string }[])[0]).toMatchObject({
      clientId: 'ann',
      action: 2,
    });
    expect(items.every((i) => i.data.channelId === 'hooks:room')).toBe(true);
    expect(messageNames(receiver)).toEqual(['m1', 'm2', 'm3']);
    // Three messages published together went out in one request.
    const withMessages = receiver.received.filter((h) => h.body.includes('"channel.message"'));
    expect(withMessages).toHaveLength(1);
    expect(items[0]).toMatchObject({ webhookId: (added.body as { id: string }).id });
  });

  it('a receiver down for 10 seconds then up gets every event exactly once, one request at a time', async () => {
    receiver = await startReceiver();
    await receiver.down();
    server = await startTestServer({
      // Batches of 2 and one request at a time: most batches wait in the outbox for a scan.
      limits: {
        ...fast,
        webhookBatchMaxItems: 2,
        webhookMaxInFlight: 1,
        // Retries every 400 ms at most here: enough attempts to outlast the outage, as the
        // default backoff (seconds, doubling) does with its default attempts.
        webhookMaxAttempts: 1000,
        webhookPauseAfterFailures: 1000,
      },
    });
    await admin(server, 'POST', '', { url: receiver.url, sources: ['channel.message'] });
    const rest = new Ably.Rest(realtimeOptions(server, 'json'));
    for (let i = 0; i < 10; i++) await rest.channels.get('down').publish(`e${i}`, String(i));
    // The outage the operations issue names: ten seconds of connection refused.
    await sleep(10_000);
    await receiver.up();
    await receiver.waitFor(() => messageNames(receiver).length >= 10);
    await sleep(800);
    expect(messageNames(receiver).sort()).toEqual([...Array(10).keys()].map((i) => `e${i}`).sort());
    expect(receiver.received.length).toBeGreaterThanOrEqual(5);
  });

  it('pending batches survive a server restart and are sent once the receiver is up', async () => {
    receiver = await startReceiver();
    await receiver.down();
    server = await startTestServer({
      sqlite: true,
      limits: { ...fast, webhookPauseAfterFailures: 1000 },
    });
    await admin(server, 'POST', '', { url: receiver.url, sources: ['channel.message'] });
    const rest = new Ably.Rest(realtimeOptions(server, 'json'));
    for (let i = 0; i < 5; i++) await rest.channels.get('restart').publish(`r${i}`, String(i));
    await sleep(300);
    await server.restart();
    await receiver.up();
    await receiver.waitFor(() => messageNames(receiver).length >= 5);
    await sleep(800);
    expect(messageNames(receiver).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  const answers = { fail: /^HTTP 500$/, redirect: /^HTTP 302$/, hang: /timeout/i };
  for (const mode of ['fail', 'redirect', 'hang'] as const) {
    it(`a receiver that answers ${{ fail: 'with 500', redirect: 'with a redirect', hang: 'too late' }[mode]} is retried, then the rule is paused and shown until resumed`, async () => {
      receiver = await startReceiver();
      receiver.mode = mode;
      server = await startTestServer({
        limits: { ...fast, webhookPauseAfterFailures: 3, webhookTimeoutMs: 300 },
      });
      const added = await admin(server, 'POST', '', { url: receiver.url });
      const ruleId = (added.body as { id: string }).id;
      const rest = new Ably.Rest(realtimeOptions(server, 'json'));
      await rest.channels.get('p').publish('first', '1');
      const paused = async () =>
        ((await admin(server, 'GET')).body as { paused: unknown }[])[0]?.paused;
      for (let i = 0; i < 100 && !(await paused()); i++) await sleep(50);
      expect(await paused()).toMatchObject({ reason: expect.stringMatching(answers[mode]) });
      const attempts = receiver.received.filter((h) => !h.headers.moved).length;
      expect(attempts).toBe(3);
      // The redirect is never followed.
      expect(receiver.received.some((h) => h.headers.moved)).toBe(false);
      // While paused, events are dropped rather than queued.
      await rest.channels.get('p').publish('dropped', '2');
      await sleep(300);
      expect(receiver.received).toHaveLength(attempts);

      receiver.mode = 'ok';
      expect((await admin(server, 'POST', `/${ruleId}/resume`)).status).toBe(200);
      expect(((await admin(server, 'GET')).body as { paused: unknown }[])[0]?.paused).toBe(false);
      await rest.channels.get('p').publish('after', '3');
      await receiver.waitFor(() => messageNames(receiver).includes('after'));
      expect(messageNames(receiver).filter((n) => n === 'dropped')).toEqual([]);
    });
  }

  it('rules are validated, listed and removed through the admin route', async () => {
    receiver = await startReceiver();
    server = await startTestServer();
    expect((await admin(server, 'POST', '', { url: 'ftp://x' })).status).toBe(400);
    expect((await admin(server, 'POST', '', { id: 'a b', url: receiver.url })).status).toBe(400);
    expect((await admin(server, 'POST', '', { url: receiver.url, sources: ['nope'] })).status).toBe(
      400,
    );
    expect(
      (await admin(server, 'POST', '', { url: receiver.url, channelFilter: '(' })).status,
    ).toBe(400);
    expect(
      (await admin(server, 'POST', '', { url: receiver.url, keyName: 'other.key' })).status,
    ).toBe(400);
    const added = await admin(server, 'POST', '', { id: 'r1', url: receiver.url });
    expect(added.body).toMatchObject({
      id: 'r1',
      sources: ['channel.message'],
      keyName: server.keys[0]!.keyName,
      paused: false,
    });
    expect((await admin(server, 'GET')).body).toHaveLength(1);
    expect((await admin(server, 'DELETE', '/r1')).status).toBe(204);
    expect((await admin(server, 'DELETE', '/r1')).status).toBe(404);
    expect((await admin(server, 'GET')).body).toEqual([]);
  });

  it('channel.occupancy: the latest subscriber and member counts of a channel, one per batch', async () => {
    receiver = await startReceiver();
    server = await startTestServer({ limits: { ...fast, webhookBatchMs: 300 } });
    await admin(server, 'POST', '', { url: receiver.url, sources: ['channel.occupancy'] });
    const client = new Ably.Realtime(realtimeOptions(server, 'json', { clientId: 'bo' }));
    clients.push(client);
    const channel = client.channels.get('occ');
    await channel.attach();
    await channel.presence.enter();
    await receiver.waitFor(() => receiver.items().length > 0);
    const items = receiver.items();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      source: 'channel.occupancy',
      data: {
        channelId: 'occ',
        status: { occupancy: { metrics: { subscribers: 1, presenceMembers: 1 } } },
      },
    });
  });

  it('POST /apps takes webhook rules, signed with the first key unless they name another', async () => {
    receiver = await startReceiver();
    server = await startTestServer();
    const res = await fetch(`http://127.0.0.1:${server.port}/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        keys: [{}],
        webhooks: [{ id: 'w', url: receiver.url, sources: ['channel.presence'] }],
      }),
    });
    expect(res.status).toBe(201);
    const app = (await res.json()) as { keys: { keyName: string }[]; webhooks: unknown[] };
    expect(app.webhooks).toEqual([
      { id: 'w', url: receiver.url, sources: ['channel.presence'], keyName: app.keys[0]!.keyName },
    ]);
    const bad = await fetch(`http://127.0.0.1:${server.port}/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ webhooks: [{ url: 'not a url' }] }),
    });
    expect(bad.status).toBe(400);
  });

  it('in production the webhook routes need the admin secret; a key is refused', async () => {
    receiver = await startReceiver();
    server = await startTestServer({ production: true, adminSecret: 'adm1n' });
    expect((await admin(server, 'GET')).status).toBe(401);
    expect((await admin(server, 'POST', '', { url: receiver.url })).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${server.port}/apps/${server.appId}/webhooks`, {
      headers: { authorization: 'Bearer adm1n' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it('channel.message on a persisted channel is sent after the write is stored; binary data is base64', async () => {
    receiver = await startReceiver();
    server = await startTestServer({
      sqlite: true,
      namespaces: [{ id: 'kept', persisted: true }],
      limits: fast,
    });
    await admin(server, 'POST', '', { url: receiver.url, channelFilter: '^kept:' });
    const rest = new Ably.Rest(realtimeOptions(server, 'json'));
    await rest.channels.get('kept:1').publish('bin', Buffer.from([1, 2, 3]));
    await receiver.waitFor(() => messageNames(receiver).length === 1);
    const [item] = receiver.items();
    expect((item!.data.messages as unknown[])[0]).toMatchObject({
      name: 'bin',
      data: 'AQID',
      encoding: 'base64',
    });
    const stored = await rest.channels.get('kept:1').history();
    expect(stored.items).toHaveLength(1);
  });
});
