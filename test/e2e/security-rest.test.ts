import { describe, expect, it } from 'vitest';
import { Ably, realtimeOptions, useServer } from './helpers.js';

/** A REST call with Basic auth by `key`, answering status and parsed JSON body. */
async function call(
  port: number,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(key).toString('base64')}`,
      'content-type': 'application/json',
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

describe('channels per request and per app are capped (security #6)', () => {
  const { server } = useServer({ limits: { maxBatchChannels: 50, maxChannelsPerApp: 60 } });

  it('a batch publish over maxBatchChannels is refused whole with 90010', async () => {
    const channels = Array.from({ length: 51 }, (_, i) => `batch-${i}`);
    const answer = await call(server().port, server().key, 'POST', '/messages', {
      channels,
      messages: [{ name: 'n', data: 'd' }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 90010 } });
  });

  it('reads of channels that do not exist create none; a new channel past the app cap is refused', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), 'json'));
    for (let i = 0; i < 100; i++) {
      expect((await rest.channels.get(`absent-${i}`).history()).items).toEqual([]);
      expect((await rest.channels.get(`absent-${i}`).presence.get()).items).toEqual([]);
    }
    // Reads made no channels, so all 60 of the app's channels are still available.
    for (let i = 0; i < 60; i++) await rest.channels.get(`real-${i}`).publish('n', 'd');
    await expect(rest.channels.get('one-too-many').publish('n', 'd')).rejects.toMatchObject({
      code: 90021,
    });
  });
});

describe('GET /channels needs channel-metadata and shows only covered channels (security #10)', () => {
  const { server, track } = useServer({
    keys: [undefined, { 'team:*': ['channel-metadata'] }, { '*': ['publish', 'subscribe'] }],
  });

  it('lists only what the capability covers, and refuses a key without channel-metadata', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), 'json')));
    await rt.channels.get('team:blue').attach();
    await rt.channels.get('secret:plans').attach();
    const all = await call(server().port, server().key, 'GET', '/channels');
    expect(all.body).toEqual(expect.arrayContaining(['team:blue', 'secret:plans']));
    const team = await call(server().port, server().keys[1]!.keyStr, 'GET', '/channels');
    expect(team.body).toEqual(['team:blue']);
    const none = await call(server().port, server().keys[2]!.keyStr, 'GET', '/channels');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: { code: 40160 } });
  });
});

describe('namespace rules and stats capability on every route (security #11)', () => {
  const { server, track } = useServer({
    namespaces: [{ id: 'private', authenticated: true }],
    keys: [undefined, { '*': ['subscribe', 'presence'] }],
  });

  it('batch presence and channel status refuse an anonymous token on an authenticated namespace', async () => {
    const member = track(
      new Ably.Realtime(realtimeOptions(server(), 'json', { clientId: 'insider' })),
    );
    await member.channels.get('private:room').presence.enter('here');
    const anonymous = new Ably.Rest({
      ...server().clientOptions('json'),
      authCallback: (_params, done) => {
        const issuer = new Ably.Rest({ ...server().clientOptions('json'), key: server().key });
        issuer.auth.requestToken({}).then(
          (token) => done(null, token),
          (err: Ably.ErrorInfo) => done(err, null),
        );
      },
    } as Ably.ClientOptions);
    // ably.d.ts types this as an array, but the client returns the one BatchResult the server sends.
    const batch = (await anonymous.batchPresence([
      'private:room',
    ])) as unknown as Ably.BatchResult<unknown>;
    expect(batch.results[0]).toMatchObject({ error: { code: 40161 } });
    await expect(anonymous.request('get', '/channels/private:room', 3)).resolves.toMatchObject({
      statusCode: 401,
      errorCode: 40161,
    });
  });

  it('GET /stats needs the stats capability', async () => {
    const answer = await call(server().port, server().keys[1]!.keyStr, 'GET', '/stats');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 40160 } });
    const full = await call(server().port, server().key, 'GET', '/stats');
    expect(full.status).toBe(200);
  });
});
