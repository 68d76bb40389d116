import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, connectionState, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('connect and auth over %s', (format) => {
  const { server, track } = useServer();

  it('RSA11: connects with a key (Basic auth) and reports the clientId', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'alice' })));
    await connectionState(rt, 'connected');
    expect(rt.connection.id).toBeTruthy();
    expect(rt.auth.clientId).toBe('alice');
  });

  it('RSA4/RSA8: connects with a token from rest.auth.requestToken', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const token = await rest.auth.requestToken({ clientId: 'bob' });
    expect(token.token).not.toContain(':');
    expect(token.expires - token.issued).toBe(3_600_000);
    const rt = track(
      new Ably.Realtime({ ...server().clientOptions(format), token: token.token, logLevel: 0 }),
    );
    await connectionState(rt, 'connected');
    expect(rt.auth.clientId).toBe('bob');
  });

  it('RSA8d: authCallback with createTokenRequest scoped to one session; other channels fail 40160, connection stays up', async () => {
    const sessionId = 'abc123';
    const backend = new Ably.Rest(realtimeOptions(server(), format));
    const capability: Record<string, Ably.capabilityOp[]> = {
      [`meetwithoutfear:session:${sessionId}`]: ['subscribe', 'publish'],
      [`meetwithoutfear:session:${sessionId}:presence`]: ['presence'],
    };
    const rt = track(
      new Ably.Realtime({
        ...server().clientOptions(format),
        logLevel: 0,
        authCallback: (_params, cb) => {
          backend.auth.createTokenRequest({ clientId: 'user-1', capability, ttl: 3_600_000 }).then(
            (req) => cb(null, req),
            (err: Ably.ErrorInfo) => cb(err, null),
          );
        },
      }),
    );
    await connectionState(rt, 'connected');
    const session = rt.channels.get(`meetwithoutfear:session:${sessionId}`);
    await session.attach();
    const presence = rt.channels.get(`meetwithoutfear:session:${sessionId}:presence`);
    await presence.presence.enter({ userId: 'user-1', stage: 4, status: 'IN_PROGRESS' });

    const other = rt.channels.get('meetwithoutfear:session:someone-else');
    await expect(other.attach()).rejects.toMatchObject({ code: 40160, statusCode: 401 });
    expect(other.state).toBe('failed');
    expect(rt.connection.state).toBe('connected');
    // The presence channel grants no publish: publishing there is refused by the server.
    await expect(presence.publish('x', 'y')).rejects.toMatchObject({ code: 40160 });
    expect(rt.connection.state).toBe('connected');
  });

  it('RTN14a: a wrong key secret moves the client to failed with 40101', async () => {
    const [keyName] = server().key.split(':');
    const rt = track(
      new Ably.Realtime({
        ...server().clientOptions(format),
        key: `${keyName}:wrongsecret`,
        logLevel: 0,
      }),
    );
    const change = await rt.connection.once('failed');
    expect(change?.reason?.code).toBe(40101);
    expect(change?.reason?.statusCode).toBe(401);
  });

  it('RTN14a: an unknown key moves the client to failed with a 401xx code', async () => {
    const rt = track(
      new Ably.Realtime({
        ...server().clientOptions(format),
        key: 'nosuchapp.nokey:secret',
        logLevel: 0,
      }),
    );
    const change = await rt.connection.once('failed');
    expect(change?.reason?.statusCode).toBe(401);
    expect(String(change?.reason?.code)).toMatch(/^401\d\d$/);
  });

  it('RSA15c: a clientId that conflicts with the token clientId fails the connection', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const token = await rest.auth.requestToken({ clientId: 'carol' });
    const rt = track(
      new Ably.Realtime({
        ...server().clientOptions(format),
        token: token.token,
        clientId: 'mallory',
        logLevel: 0,
      }),
    );
    const change = await rt.connection.once('failed');
    expect([40102, 40012]).toContain(change?.reason?.code);
  });

  it('RSA10: token capability is intersected with the key capability', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const token = await rest.auth.requestToken({
      capability: { 'room:*': ['publish', 'subscribe'] },
    });
    expect(JSON.parse(token.capability)).toEqual({ 'room:*': ['publish', 'subscribe'] });
    await expect(
      rest.auth.requestToken({ capability: { 'room:*': ['bogus'] } as never }),
    ).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('RTN13: connection.ping() is answered', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await connectionState(rt, 'connected');
    const ms = await rt.connection.ping();
    expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('RTN12: close() ends in closed', async () => {
    const rt = new Ably.Realtime(realtimeOptions(server(), format));
    await connectionState(rt, 'connected');
    rt.close();
    await connectionState(rt, 'closed');
  });
});

describe.each(FORMATS)('namespace rules over %s', (format) => {
  const { server, track } = useServer({ namespaces: [{ id: 'private', authenticated: true }] });

  it('an authenticated namespace refuses anonymous clients with 40161 and admits identified ones', async () => {
    const anonymous = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await expect(anonymous.channels.get('private:room').attach()).rejects.toMatchObject({
      code: 40161,
    });
    await expect(anonymous.channels.get('private:other').publish('x', 'y')).rejects.toMatchObject({
      code: 40161,
    });
    await anonymous.channels.get('public:room').attach();
    const identified = track(
      new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'known' })),
    );
    await identified.channels.get('private:room').attach();
  });
});
