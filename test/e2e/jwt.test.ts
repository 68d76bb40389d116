import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TestKey, TestServer } from '@switchboard/testkit';
import {
  Ably,
  FORMATS,
  collect,
  connectionState,
  realtimeOptions,
  useServer,
  type Format,
} from './helpers.js';

/** What the app backend puts in an Ably JWT. */
interface JwtSpec {
  ttlSeconds?: number;
  capability?: Record<string, string[]>;
  clientId?: string;
  /** Header fields to override, e.g. `{ alg: 'none' }`. */
  header?: Record<string, unknown>;
  /** Sign with this secret instead of the key's. */
  secret?: string;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Mints an Ably JWT as an app backend would: HS256 over the key secret, `kid` = key name. */
function mintJwt(key: TestKey, spec: JwtSpec = {}): string {
  const iat = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'HS256', kid: key.keyName, ...spec.header };
  const claims = {
    iat,
    exp: iat + (spec.ttlSeconds ?? 3600),
    'x-ably-capability': JSON.stringify(spec.capability ?? { '*': ['*'] }),
    ...(spec.clientId ? { 'x-ably-clientId': spec.clientId } : {}),
  };
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature = createHmac('sha256', spec.secret ?? key.secret)
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}

const withJwt = (server: TestServer, format: Format, token: string): Ably.ClientOptions => ({
  ...server.clientOptions(format),
  token,
  logLevel: 0,
});

/** The [state, reason code] changes of a connection until it fails. */
function changesUntilFailed(rt: Ably.Realtime): Promise<[string, number | undefined][]> {
  const changes: [string, number | undefined][] = [];
  return new Promise((resolve) => {
    rt.connection.on((change) => {
      if (change.current === 'connecting') return;
      changes.push([change.current, change.reason?.code]);
      if (change.current === 'failed') resolve(changes);
    });
  });
}

/** A realtime client whose authCallback hands out a fresh JWT each time; counts the calls. */
function renewingClient(server: TestServer, format: Format, spec: JwtSpec) {
  const state = { issued: 0 };
  const client = new Ably.Realtime({
    ...server.clientOptions(format),
    logLevel: 0,
    authCallback: (_params, cb) => {
      state.issued++;
      cb(null, mintJwt(server.keys[0]!, spec));
    },
  });
  return { client, state };
}

/** Keeps a JWT-authenticated client publishing and receiving for `ms`; checks nothing was lost. */
async function renewFor(server: TestServer, format: Format, rt: Ably.Realtime, ms: number) {
  await connectionState(rt, 'connected');
  const id = rt.connection.id;
  const channel = rt.channels.get('jwt-renewal');
  await channel.attach();
  const channelChanges: Ably.ChannelStateChange[] = [];
  channel.on((change) => channelChanges.push(change));
  const connectionChanges: string[] = [];
  rt.connection.on((change) => {
    if (change.previous !== change.current) connectionChanges.push(change.current);
  });
  const got = collect<Ably.Message>();
  await channel.subscribe((m) => got.push(m));
  const backend = new Ably.Rest(realtimeOptions(server, format));
  const deadline = Date.now() + ms;
  let n = 0;
  while (Date.now() < deadline) {
    await backend.channels.get('jwt-renewal').publish('tick', String(n++));
    await new Promise((r) => setTimeout(r, 500));
  }
  await got.until(n);
  expect(got.items.map((m) => m.data)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  expect(rt.connection.state).toBe('connected');
  expect(rt.connection.id).toBe(id);
  expect(channel.state).toBe('attached');
  return { channelChanges, connectionChanges };
}

describe.each(FORMATS)('Ably JWT auth over %s', (format) => {
  const { server, track } = useServer({ keys: [undefined, { revocableTokens: true }] });
  const key = (): TestKey => server().keys[0]!;

  it('TN3/RSA8: connects with a JWT as the token; publish and subscribe work', async () => {
    const rt = track(new Ably.Realtime(withJwt(server(), format, mintJwt(key()))));
    await connectionState(rt, 'connected');
    const channel = rt.channels.get('jwt:chat');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    await channel.publish('greeting', 'hello over a JWT');
    const [message] = await got.until(1);
    expect(message?.data).toBe('hello over a JWT');
  });

  it('RSA7/RSP5: x-ably-clientId becomes the connection clientId and the presence identity', async () => {
    const rt = track(
      new Ably.Realtime(withJwt(server(), format, mintJwt(key(), { clientId: 'jwt-alice' }))),
    );
    await connectionState(rt, 'connected');
    expect(rt.auth.clientId).toBe('jwt-alice');
    const channel = rt.channels.get('jwt:room');
    await channel.presence.enter('here');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    await channel.publish('said', 'hi');
    expect((await got.until(1))[0]?.clientId).toBe('jwt-alice');
    const observer = new Ably.Rest(realtimeOptions(server(), format));
    const members = await observer.channels.get('jwt:room').presence.get();
    expect(members.items.map((m) => [m.clientId, m.data])).toEqual([['jwt-alice', 'here']]);
  });

  it('RSA7b4: a JWT with x-ably-clientId "*" lets the client name itself', async () => {
    const rt = track(
      new Ably.Realtime({
        ...withJwt(server(), format, mintJwt(key(), { clientId: '*' })),
        clientId: 'self-named',
      }),
    );
    await connectionState(rt, 'connected');
    expect(rt.auth.clientId).toBe('self-named');
  });

  it('RTL4d: the JWT capability limits the client: attaching outside it fails with 40160, the connection stays up', async () => {
    const capability = { 'jwt:allowed': ['subscribe', 'publish'] };
    const rt = track(new Ably.Realtime(withJwt(server(), format, mintJwt(key(), { capability }))));
    await connectionState(rt, 'connected');
    await rt.channels.get('jwt:allowed').attach();
    const other = rt.channels.get('jwt:other');
    await expect(other.attach()).rejects.toMatchObject({ code: 40160, statusCode: 401 });
    expect(other.state).toBe('failed');
    expect(rt.connection.state).toBe('connected');
  });

  it('RSA8/RSC19: a REST client with a JWT publishes and reads history', async () => {
    const token = mintJwt(key(), { capability: { 'jwt:rest': ['publish', 'history'] } });
    const rest = new Ably.Rest(withJwt(server(), format, token));
    const channel = rest.channels.get('jwt:rest');
    await channel.publish('one', 'first');
    await channel.publish('two', 'second');
    const page = await channel.history();
    expect(page.items.map((m) => m.data)).toEqual(['second', 'first']);
    await expect(rest.channels.get('jwt:not-granted').history()).rejects.toMatchObject({
      code: 40160,
    });
  });

  it('RSA4b: REST refuses an expired JWT with 40142 and a bad one with 40144 (401), raw or base64 in Bearer', async () => {
    const expired = mintJwt(key(), { ttlSeconds: -1 });
    const forged = mintJwt(key(), { secret: 'not-the-secret' });
    for (const [token, code] of [
      [expired, 40142],
      [forged, 40144],
    ] as const) {
      for (const bearer of [Buffer.from(token).toString('base64'), token]) {
        const res = await fetch(`http://127.0.0.1:${server().port}/channels/x/messages`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code, statusCode: 401 } });
      }
    }
  });

  it('RTN15h: a JWT that expires without a way to renew gets DISCONNECTED 40142', async () => {
    const rt = track(
      new Ably.Realtime(withJwt(server(), format, mintJwt(key(), { ttlSeconds: 2 }))),
    );
    const disconnected = rt.connection.once('disconnected');
    await connectionState(rt, 'connected');
    const change = (await disconnected) as Ably.ConnectionStateChange;
    expect(change.reason?.code).toBe(40142);
    expect(change.reason?.statusCode).toBe(401);
  });

  it('RTN14b: a JWT with a bad signature is refused with 40144; as a literal the client then fails (40171)', async () => {
    const forged = mintJwt(key(), { secret: 'not-the-secret' });
    const rt = track(new Ably.Realtime(withJwt(server(), format, forged)));
    // 40144 is a token error: ably-js tries to renew (RTN14b), has no way to and fails (RSA4a).
    expect(await changesUntilFailed(rt)).toEqual([
      ['disconnected', 40144],
      ['failed', 40171],
    ]);
  });

  it('RTN14b: a bad JWT from an authCallback is asked for once more, then the client waits DISCONNECTED with 40144', async () => {
    const forged = mintJwt(key(), { secret: 'not-the-secret' });
    let asked = 0;
    const rt = track(
      new Ably.Realtime({
        ...server().clientOptions(format),
        logLevel: 0,
        authCallback: (_params, cb) => {
          asked++;
          cb(null, forged);
        },
      }),
    );
    const first = (await rt.connection.once('disconnected')) as Ably.ConnectionStateChange;
    expect(first.reason).toMatchObject({ code: 40144, statusCode: 401 });
    const second = (await rt.connection.once('disconnected')) as Ably.ConnectionStateChange;
    expect(second.reason).toMatchObject({ code: 40144, statusCode: 401 });
    expect(asked).toBe(2);
  });

  it('TN3: an unsigned JWT (alg none) is refused with 40144, signed or not', async () => {
    const signed = mintJwt(key(), { header: { alg: 'none' } });
    const unsigned = `${signed.slice(0, signed.lastIndexOf('.'))}.`;
    for (const token of [unsigned, signed]) {
      const rt = track(new Ably.Realtime(withJwt(server(), format, token)));
      expect((await changesUntilFailed(rt))[0]).toEqual(['disconnected', 40144]);
    }
  });

  it('RSA17: revoking a clientId disconnects its JWT connections with 40141 and refuses the JWT', async () => {
    const revocable = server().keys[1]!;
    const token = mintJwt(revocable, { clientId: 'jwt-revoked' });
    const rt = track(new Ably.Realtime(withJwt(server(), format, token)));
    await connectionState(rt, 'connected');
    const disconnected = rt.connection.once('disconnected');
    const admin = new Ably.Rest({ ...server().clientOptions(format), key: revocable.keyStr });
    // The revocation covers JWTs issued before now: iat (whole seconds, rounded down) is.
    await admin.auth.revokeTokens([{ type: 'clientId', value: 'jwt-revoked' }]);
    expect(((await disconnected) as Ably.ConnectionStateChange).reason?.code).toBe(40141);
    const res = await fetch(`http://127.0.0.1:${server().port}/channels/x/messages`, {
      headers: { authorization: `Bearer ${Buffer.from(token).toString('base64')}` },
    });
    expect(await res.json()).toMatchObject({ error: { code: 40141, statusCode: 401 } });
  });
});

describe.each(FORMATS)('Ably JWT renewal over %s', (format) => {
  const { server, track } = useServer({ limits: { tokenRenewLeadMs: 1500 } });

  it('RTN22: the server sends AUTH before a JWT expires; 3-second JWTs from an authCallback renewed for 8 s in place', async () => {
    const { client, state } = renewingClient(server(), format, { ttlSeconds: 3 });
    const rt = track(client);
    const { channelChanges, connectionChanges } = await renewFor(server(), format, rt, 8000);
    expect(state.issued).toBeGreaterThanOrEqual(4);
    expect(channelChanges.filter((c) => c.previous !== c.current)).toEqual([]);
    expect(connectionChanges).toEqual([]);
  }, 20_000);
});

describe.each(FORMATS)('Ably JWT renewal at expiry over %s', (format) => {
  const { server, track } = useServer({ limits: { tokenRenewLeadMs: 5000 } });

  it('RTN15h2: 3-second JWTs (shorter than the AUTH lead) are renewed on DISCONNECTED 40142 and the channel resumes', async () => {
    const { client, state } = renewingClient(server(), format, { ttlSeconds: 3 });
    const rt = track(client);
    const { channelChanges } = await renewFor(server(), format, rt, 8000);
    // iat has whole seconds, so a "3-second" JWT lives 2 to 3 s, and each renewal here waits for
    // the expiry plus a reconnect.
    expect(state.issued).toBeGreaterThanOrEqual(3);
    for (const change of channelChanges.filter((c) => c.current === 'attached'))
      expect(change.resumed).toBe(true);
    expect(channelChanges.map((c) => c.current)).not.toContain('failed');
    expect(channelChanges.map((c) => c.current)).not.toContain('detached');
  }, 20_000);
});
