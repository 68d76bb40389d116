import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createExpressTokenHandler,
  createTokenHandler,
  createTokenRequest,
  createTokenRoute,
  mediationCatalog,
  type ExpressLikeResponse,
  type TokenAuthRequest,
  type TokenGrant,
} from '@switchboard/kit';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// The app's own user check: a bearer token naming the user, who belongs to session s1 only.
const SESSIONS: Record<string, string[]> = { alice: ['s1'], bob: ['s1'] };
function authorize(req: TokenAuthRequest): TokenGrant {
  const user = /^Bearer (\w+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!user || !SESSIONS[user]) return null;
  return { clientId: user, capability: mediationCatalog.capabilities.participant(SESSIONS[user]!) };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

describe('token endpoint handlers, accepted by the official client against Switchboard', () => {
  let sb: TestServer;
  const closers: (() => unknown)[] = [];
  beforeAll(async () => {
    sb = await startTestServer();
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  afterAll(() => sb.close());

  const realtime = (opts: Ably.ClientOptions): Ably.Realtime => {
    const rt = new Ably.Realtime({ ...sb.clientOptions('json'), logLevel: 0, ...opts });
    closers.push(() => rt.close());
    return rt;
  };
  const session = mediationCatalog.session.name({ sessionId: 's1' });
  const presence = mediationCatalog.presence.name({ sessionId: 's1' });

  /** What a participant token allows and refuses, checked on the server. */
  async function expectParticipantScope(rt: Ably.Realtime, clientId: string): Promise<void> {
    await rt.connection.whenState('connected');
    expect(rt.auth.clientId).toBe(clientId);
    await rt.channels.get(session).attach();
    await rt.channels.get(presence).presence.enter({ userId: clientId });
    // Least privilege: partner events come from the backend, and other sessions are closed.
    await expect(
      rt.channels.get(session).publish('partner.advanced', { toStage: 2 }),
    ).rejects.toMatchObject({ code: 40160 });
    await expect(
      rt.channels.get(mediationCatalog.session.name({ sessionId: 's2' })).attach(),
    ).rejects.toMatchObject({
      code: 40160,
    });
  }

  it('Node http handler: authUrl with the app header gets a TokenRequest the server redeems', async () => {
    const app = createServer(createTokenHandler({ key: sb.key, authorize }));
    const url = await listen(app);
    closers.push(() => new Promise((r) => app.close(r)));
    const rt = realtime({
      authUrl: `${url}/api/ably/token`,
      authHeaders: { Authorization: 'Bearer alice' },
    });
    await expectParticipantScope(rt, 'alice');
  });

  it('Node http handler: an unknown caller gets 401 with an Ably-shaped error, and a bad method 405', async () => {
    const app = createServer(createTokenHandler({ key: sb.key, authorize }));
    const url = await listen(app);
    closers.push(() => new Promise((r) => app.close(r)));
    const refused = await fetch(`${url}/token`, { headers: { authorization: 'Bearer mallory' } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: { message: 'Not authorized for a token', code: 40100, statusCode: 401 },
    });
    expect((await fetch(`${url}/token`, { method: 'DELETE' })).status).toBe(405);
  });

  it('Express-style handler: POST authUrl with the body parsed by middleware', async () => {
    const handler = createExpressTokenHandler({
      key: sb.key,
      authorize: (req) =>
        authorize({
          ...req,
          headers: { authorization: `Bearer ${(req.body as { user?: string }).user}` },
        }),
    });
    // The two things Express adds that the handler relies on: a parsed req.body and res.status().json().
    const app = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const expressRes: ExpressLikeResponse = {
          status: (code) => ((res.statusCode = code), expressRes),
          set: (fields) => (
            Object.entries(fields).forEach(([k, v]) => res.setHeader(k, v)),
            expressRes
          ),
          json: (body) => res.end(JSON.stringify(body)),
        };
        const body = req.headers['content-type']?.includes('json')
          ? JSON.parse(text)
          : Object.fromEntries(new URLSearchParams(text));
        void handler({ method: req.method!, headers: req.headers, body, query: {} }, expressRes);
      });
    });
    const url = await listen(app);
    closers.push(() => new Promise((r) => app.close(r)));
    const rt = realtime({
      authUrl: `${url}/token`,
      authMethod: 'POST',
      authParams: { user: 'bob' },
    });
    await expectParticipantScope(rt, 'bob');
  });

  it('Next.js route handler: authCallback fetching the route gets a TokenRequest the server redeems', async () => {
    const route = createTokenRoute({ key: sb.key, authorize });
    const rt = realtime({
      authCallback: (_params, callback) => {
        route(
          new Request('http://app.test/api/ably/token', {
            headers: { authorization: 'Bearer alice' },
          }),
        )
          .then(async (res) => callback(null, (await res.json()) as Ably.TokenRequest))
          .catch((err: Error) => callback(err.message, null));
      },
    });
    await expectParticipantScope(rt, 'alice');
  });

  it('the server refuses a TokenRequest whose MAC does not match (signed as Ably signs, RSA9)', async () => {
    const good = createTokenRequest({
      key: sb.key,
      clientId: 'alice',
      capability: { x: ['subscribe'] },
    });
    const redeem = (body: unknown) =>
      fetch(`http://127.0.0.1:${sb.port}/keys/${good.keyName}/requestToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const tampered = await redeem({ ...good, capability: JSON.stringify({ '*': ['*'] }) });
    expect(tampered.status).toBe(401);
    const ok = await redeem(good);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ clientId: 'alice', capability: '{"x":["subscribe"]}' });
  });

  it('misuse throws a TypeError at once', () => {
    expect(() => createTokenHandler({ key: 'nonsense', authorize })).toThrow(TypeError);
    expect(() => createTokenRequest({ key: sb.key, clientId: '', capability: {} })).toThrow(
      TypeError,
    );
  });
});
