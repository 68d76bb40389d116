import { describe, expect, it } from 'vitest';
import type { TestServer } from '@switchboard/testkit';
import {
  Ably,
  FORMATS,
  collect,
  connectionState,
  realtimeOptions,
  useServer,
  type Format,
} from './helpers.js';

async function renewFor10s(
  server: TestServer,
  format: Format,
  track: <T extends { close(): void }>(c: T) => T,
) {
  const backend = new Ably.Rest(realtimeOptions(server, format));
  let issued = 0;
  const rt = track(
    new Ably.Realtime({
      ...server.clientOptions(format),
      logLevel: 0,
      authCallback: (_p, cb) => {
        issued++;
        backend.auth.createTokenRequest({ clientId: 'renewer', ttl: 3000 }).then(
          (req) => cb(null, req),
          (err: Ably.ErrorInfo) => cb(err, null),
        );
      },
    }),
  );
  await connectionState(rt, 'connected');
  const id = rt.connection.id;
  const channel = rt.channels.get('renewal');
  await channel.attach();
  const channelChanges: Ably.ChannelStateChange[] = [];
  channel.on((change) => channelChanges.push(change));
  const connectionChanges: string[] = [];
  // An `update` (new connection details, RTN24) keeps the state; anything else is a real transition.
  rt.connection.on((change) => {
    if (change.previous !== change.current) connectionChanges.push(change.current);
  });
  const got = collect<Ably.Message>();
  await channel.subscribe((m) => got.push(m));

  const deadline = Date.now() + 10_000;
  let n = 0;
  while (Date.now() < deadline) {
    await backend.channels.get('renewal').publish('tick', String(n++));
    await new Promise((r) => setTimeout(r, 500));
  }
  await got.until(n);
  expect(got.items.map((m) => m.data)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  expect(issued).toBeGreaterThanOrEqual(4);
  expect(rt.connection.state).toBe('connected');
  expect(rt.connection.id).toBe(id);
  expect(channel.state).toBe('attached');
  return { channelChanges, connectionChanges };
}

describe.each(FORMATS)('token renewal requested by the server over %s', (format) => {
  const { server, track } = useServer({ limits: { tokenRenewLeadMs: 1500 } });

  it('RTN22: the server sends AUTH before expiry; 3-second tokens renewed for 10 s, channel never leaves attached', async () => {
    const { channelChanges, connectionChanges } = await renewFor10s(server(), format, track);
    expect(channelChanges.filter((c) => c.previous !== c.current).map((c) => c.current)).toEqual(
      [],
    );
    expect(connectionChanges).toEqual([]);
  }, 20_000);
});

describe.each(FORMATS)('token renewal at expiry over %s', (format) => {
  const { server, track } = useServer();

  it('RTN15h2: 3-second tokens (shorter than the AUTH lead) are renewed on DISCONNECTED 40142 and the channel resumes', async () => {
    const { channelChanges } = await renewFor10s(server(), format, track);
    // Each renewal is a resume: the channel re-attaches with continuity and nothing is lost.
    for (const change of channelChanges.filter((c) => c.current === 'attached'))
      expect(change.resumed).toBe(true);
    expect(channelChanges.map((c) => c.current)).not.toContain('failed');
    expect(channelChanges.map((c) => c.current)).not.toContain('detached');
  }, 20_000);

  it('RTN15h: an expired token without renewal gets DISCONNECTED 40142', async () => {
    const backend = new Ably.Rest(realtimeOptions(server(), format));
    const token = await backend.auth.requestToken({ ttl: 1000 });
    const rt = track(
      new Ably.Realtime({ ...server().clientOptions(format), token: token.token, logLevel: 0 }),
    );
    // Listen before connecting finishes: on a loaded machine CONNECTED and the expiry can arrive together.
    const disconnected = rt.connection.once('disconnected');
    await connectionState(rt, 'connected');
    const change = (await disconnected) as Ably.ConnectionStateChange;
    expect(change.reason?.code).toBe(40142);
    expect(change.reason?.statusCode).toBe(401);
  });

  it('RSA4a: a REST request with an expired token is refused with 40142 (401)', async () => {
    const backend = new Ably.Rest(realtimeOptions(server(), format));
    const token = await backend.auth.requestToken({ ttl: 100 });
    await new Promise((r) => setTimeout(r, 200));
    // The official client answers 40142 by trying to renew (and fails with 40171 without a way
    // to); the server's own answer is read on the wire.
    const res = await fetch(`http://127.0.0.1:${server().port}/channels/x/messages`, {
      headers: { authorization: `Bearer ${Buffer.from(token.token).toString('base64')}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-ably-errorcode')).toBe('40142');
    expect(await res.json()).toMatchObject({ error: { code: 40142, statusCode: 401 } });
    const rest = new Ably.Rest({
      ...server().clientOptions(format),
      token: token.token,
      logLevel: 0,
    });
    await expect(rest.channels.get('x').history()).rejects.toMatchObject({ code: 40171 });
  });
});
