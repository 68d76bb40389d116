import { startTestServer, type TestServer } from '@switchboard/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ably, connectionState, realtimeOptions } from './helpers.js';
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js';

const SECRET = 'operator-secret';
const basic = (key: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(key).toString('base64')}`,
});
const admin = { 'x-switchboard-admin-secret': SECRET };

interface Answer {
  status: number;
  body: unknown;
  link: string | null;
}

async function call(
  server: TestServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    link: res.headers.get('link'),
  };
}

const code = (a: Answer): number | undefined =>
  (a.body as { error?: { code: number } }).error?.code;

/** The `rel="next"` path of a Link header, resolved against the route that sent it. */
function nextPath(link: string | null, from: string): string | undefined {
  const rel = /<([^>]+)>; rel="next"/.exec(link ?? '')?.[1];
  return rel && new URL(rel, `http://x${from}`).pathname + new URL(rel, `http://x${from}`).search;
}

interface KeyDescription {
  keyName: string;
  keyStr: string;
  capability: string;
}

describe('operator routes in production mode', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  const clients: { close(): void }[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer({
      production: true,
      adminSecret: SECRET,
      limits: { webhookBatchMs: 50, webhookOutboxPollMs: 50 },
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.down();
  });

  it('every operator route answers 401 (40100) without the admin secret: no header, a key, a wrong secret', async () => {
    const app = server.appId;
    const routes: [string, string, unknown?][] = [
      ['GET', '/apps'],
      ['POST', `/apps/${app}/keys`, {}],
      ['DELETE', `/apps/${app}/keys/${encodeURIComponent(server.keys[0]!.keyName)}`],
      ['GET', `/apps/${app}/events`],
      ['GET', `/apps/${app}/webhooks/any/deliveries`],
    ];
    for (const [method, path, body] of routes) {
      for (const headers of [
        {},
        basic(server.key),
        { 'x-switchboard-admin-secret': 'wrong' },
        { authorization: 'Bearer wrong' },
      ]) {
        const answer = await call(server, method, path, headers, body);
        expect([method, path, answer.status, code(answer)]).toEqual([method, path, 401, 40100]);
      }
    }
    // Nothing was created or revoked by the refused calls.
    const apps = await call(server, 'GET', '/apps', admin);
    expect((apps.body as { keys: unknown[] }[])[0]!.keys).toHaveLength(1);
  });

  it('lists apps with their keys; a key created with a capability works with the official client within it and is refused after revocation (40131)', async () => {
    const apps = await call(server, 'GET', '/apps', { authorization: `Bearer ${SECRET}` });
    expect(apps.status).toBe(200);
    expect(apps.body).toEqual([
      expect.objectContaining({
        appId: server.appId,
        keys: [expect.objectContaining({ keyName: server.keys[0]!.keyName, keyStr: server.key })],
      }),
    ]);
    const created = await call(server, 'POST', `/apps/${server.appId}/keys`, admin, {
      capability: { 'orders:*': ['publish', 'subscribe'] },
    });
    expect(created.status).toBe(201);
    const key = created.body as KeyDescription;
    expect(key.keyName.startsWith(`${server.appId}.`)).toBe(true);
    expect(JSON.parse(key.capability)).toEqual({ 'orders:*': ['publish', 'subscribe'] });

    const client = new Ably.Realtime(realtimeOptions(server, 'json', { key: key.keyStr }));
    clients.push(client);
    await connectionState(client, 'connected');
    await client.channels.get('orders:1').publish('made', 'one');
    await expect(client.channels.get('other').publish('x', 'no')).rejects.toMatchObject({
      code: 40160,
    });

    const failed = client.connection.once('failed');
    const revoked = await call(
      server,
      'DELETE',
      `/apps/${server.appId}/keys/${encodeURIComponent(key.keyName)}`,
      admin,
    );
    expect(revoked.status).toBe(204);
    expect((await failed)?.reason?.code).toBe(40131);
    const rest = new Ably.Rest({ ...server.clientOptions('json'), key: key.keyStr });
    await expect(rest.channels.get('orders:1').publish('again', 'two')).rejects.toMatchObject({
      statusCode: 401,
    });
    const again = await call(
      server,
      'DELETE',
      `/apps/${server.appId}/keys/${encodeURIComponent(key.keyName)}`,
      admin,
    );
    expect([again.status, code(again)]).toEqual([404, 40400]);
  }, 30_000);

  it('refuses a bad capability (400), an unknown app (404), a bad cursor and limit (400)', async () => {
    const bad = await call(server, 'POST', `/apps/${server.appId}/keys`, admin, {
      capability: { chat: 'publish' },
    });
    expect(bad.status).toBe(400);
    const badJson = await call(server, 'POST', `/apps/${server.appId}/keys`, admin, {
      capability: '{not json',
    });
    expect(badJson.status).toBe(400);
    for (const body of [[], 'x', 7, { capability: 5 }, { revocableTokens: 'yes' }]) {
      const refused = await call(server, 'POST', `/apps/${server.appId}/keys`, admin, body);
      expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400]);
    }
    const malformed = await fetch(`http://127.0.0.1:${server.port}/apps/${server.appId}/keys`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{"capability":',
    });
    expect(malformed.status).toBe(400);
    // None of the refused bodies left a key behind.
    const apps = await call(server, 'GET', '/apps', admin);
    expect((apps.body as { keys: unknown[] }[])[0]!.keys).toHaveLength(1);
    expect((await call(server, 'GET', '/apps/nope/events', admin)).status).toBe(404);
    expect((await call(server, 'POST', '/apps/nope/keys', admin, {})).status).toBe(404);
    for (const query of ['cursor=zz', 'limit=0', 'limit=100000', 'limit=1.5']) {
      const answer = await call(server, 'GET', `/apps/${server.appId}/events?${query}`, admin);
      expect([query, answer.status, code(answer)]).toEqual([query, 400, 40003]);
    }
  });

  it('pages the audit log newest first, filtered by channel, with Link headers', async () => {
    const rest = new Ably.Rest({ ...server.clientOptions('json'), key: server.key });
    const channel = rest.channels.get('audit:a');
    for (const name of ['first', 'second', 'third']) await channel.publish(name, 'x');
    await rest.channels.get('audit:b').publish('elsewhere', 'y');
    const first = `/apps/${server.appId}/events?channel=audit%3Aa&limit=2`;
    const page1 = await call(server, 'GET', first, admin);
    expect(page1.status).toBe(200);
    const events = page1.body as { channel: string; name: string; source: string }[];
    expect(events.map((e) => [e.channel, e.name, e.source])).toEqual([
      ['audit:a', 'third', 'rest'],
      ['audit:a', 'second', 'rest'],
    ]);
    const next = nextPath(page1.link, first);
    expect(next).toBeDefined();
    const page2 = await call(server, 'GET', next!, admin);
    expect((page2.body as { name: string }[]).map((e) => e.name)).toEqual(['first']);
    expect(nextPath(page2.link, next!)).toBeUndefined();
    const all = await call(server, 'GET', `/apps/${server.appId}/events`, admin);
    expect((all.body as { name: string }[])[0]!.name).toBe('elsewhere');
  });

  it("shows a rule's last deliveries: sent with one attempt, then failing with the endpoint's error", async () => {
    const rule = await call(server, 'POST', `/apps/${server.appId}/webhooks`, admin, {
      id: 'hook1',
      url: receiver.url,
      sources: ['channel.message'],
    });
    expect(rule.status).toBe(201);
    const rest = new Ably.Rest({ ...server.clientOptions('json'), key: server.key });
    await rest.channels.get('hooked').publish('one', 'a');
    const path = `/apps/${server.appId}/webhooks/hook1/deliveries`;
    const sent = async (): Promise<{ status: string; attempts: number; items: number }[]> =>
      (await call(server, 'GET', path, admin)).body as never;
    await receiver.waitFor(() => receiver.received.length === 1);
    await expect.poll(async () => (await sent())[0]?.status, { timeout: 10_000 }).toBe('sent');
    expect((await sent())[0]).toMatchObject({ status: 'sent', attempts: 1, items: 1 });

    receiver.mode = 'fail';
    await rest.channels.get('hooked').publish('two', 'b');
    await expect
      .poll(async () => ((await sent())[0] as { lastError?: string }).lastError, {
        timeout: 10_000,
      })
      .toMatch(/500/);
    const latest = (await sent())[0] as { attempts: number; status: string };
    expect(latest.attempts).toBeGreaterThanOrEqual(1);
    expect((await sent()).length).toBe(2);
    receiver.mode = 'ok';
    const unknown = await call(
      server,
      'GET',
      `/apps/${server.appId}/webhooks/nope/deliveries`,
      admin,
    );
    expect([unknown.status, code(unknown)]).toEqual([404, 40400]);
  }, 30_000);
});

describe('operator routes in development mode', () => {
  let server: TestServer;
  let other: { appId: string; keyStr: string };

  beforeAll(async () => {
    server = await startTestServer({ keys: [undefined, { '*': ['publish', 'subscribe'] }] });
    const created = await call(server, 'POST', '/apps', {}, { keys: [{}] });
    const body = created.body as { appId: string; keys: { keyStr: string }[] };
    other = { appId: body.appId, keyStr: body.keys[0]!.keyStr };
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a full-capability key sees and manages its own app only; a narrower key is refused (403)', async () => {
    const listed = await call(server, 'GET', '/apps', basic(server.key));
    expect((listed.body as { appId: string }[]).map((a) => a.appId)).toEqual([server.appId]);
    const narrow = await call(server, 'GET', '/apps', basic(server.keys[1]!.keyStr));
    expect([narrow.status, code(narrow)]).toEqual([403, 40300]);
    const none = await call(server, 'GET', '/apps', {});
    expect(none.status).toBe(401);
    const foreign = await call(server, 'GET', `/apps/${other.appId}/events`, basic(server.key));
    expect([foreign.status, code(foreign)]).toEqual([403, 40300]);
    const own = await call(server, 'POST', `/apps/${other.appId}/keys`, basic(other.keyStr), {});
    expect(own.status).toBe(201);
  });
});
