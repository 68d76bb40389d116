import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('REST over %s', (format) => {
  const { server } = useServer();

  it('RSC16: time() returns the server time', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const t = await rest.time();
    expect(Math.abs(t - Date.now())).toBeLessThan(5000);
  });

  it('RSL1m: X-Ably-ClientId from a Basic-auth client identifies its messages', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format, { clientId: 'backend' }));
    await rest.channels.get('rest:ids').publish('x', 'y');
    const page = await rest.channels.get('rest:ids').history();
    expect(page.items[0]!.clientId).toBe('backend');
  });

  it('RSC19: unknown routes give 40400 through rest.request', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const res = await rest.request('get', '/no/such/route', 3);
    expect(res.statusCode).toBe(404);
    expect(res.errorCode).toBe(40400);
  });

  it('RSA: a bad key on REST is refused with 40101', async () => {
    const [keyName] = server().key.split(':');
    const rest = new Ably.Rest({
      ...server().clientOptions(format),
      key: `${keyName}:nope`,
      logLevel: 0,
    });
    await expect(rest.channels.get('x').publish('a', 'b')).rejects.toMatchObject({
      code: 40101,
      statusCode: 401,
    });
  });
});

describe('REST errors on the wire', () => {
  const { server } = useServer({ limits: { maxMessageSize: 1024 } });

  const post = (body: string, auth: string, type = 'application/json'): Promise<Response> =>
    fetch(`http://127.0.0.1:${server().port}/channels/limits/messages`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
        'content-type': type,
      },
      body,
    });

  it('an oversized message is refused with 40009 and the exact headers ably-js parses', async () => {
    const res = await post(JSON.stringify([{ name: 'big', data: 'x'.repeat(2000) }]), server().key);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-ably-errorcode')).toBe('40009');
    expect(await res.json()).toMatchObject({ error: { code: 40009, statusCode: 400 } });
  });

  it('a malformed body is refused with 40000', async () => {
    const res = await post('{not json', server().key);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe(40000);
  });

  it('a forbidden channel is refused with 40160, msgpack error bodies when asked', async () => {
    const rest = new Ably.Rest({
      ...server().clientOptions('msgpack'),
      key: server().key,
      logLevel: 0,
    });
    const token = await rest.auth.requestToken({ capability: { 'other:*': ['publish'] } });
    const limited = new Ably.Rest({
      ...server().clientOptions('msgpack'),
      token: token.token,
      logLevel: 0,
    });
    await expect(limited.channels.get('limits').publish('a', 'b')).rejects.toMatchObject({
      code: 40160,
      statusCode: 401,
    });
  });
});
