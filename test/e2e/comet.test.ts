import { startTcpProxy } from '@switchboard/testkit';
import { startWebSocketBlockingProxy } from './websocket-blocking-proxy.js';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions, useServer } from './helpers.js';

/** ably-js's private view of its transport, to check which one carries the connection. */
function transportName(rt: Ably.Realtime): string | undefined {
  const manager = (
    rt.connection as unknown as {
      connectionManager: { activeProtocol?: { getTransport(): { shortName: string } } };
    }
  ).connectionManager;
  return manager.activeProtocol?.getTransport().shortName;
}

/** '0' … String(n - 1): message data must be a string, a buffer or an object. */
const numbers = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));

describe.each(FORMATS)(
  'the official client over comet only, useBinaryProtocol for %s',
  (format) => {
    const { server, track } = useServer({ limits: { tokenRenewLeadMs: 1500 } });
    const cometOptions = (extra: Ably.ClientOptions = {}): Ably.ClientOptions =>
      realtimeOptions(server(), format, { transports: ['comet'], ...extra });

    it('connects, publishes and receives its own and REST messages in order, then closes', async () => {
      const rt = track(new Ably.Realtime(cometOptions()));
      await connectionState(rt, 'connected');
      expect(transportName(rt)).toBe('comet');
      const channel = rt.channels.get('comet:pubsub');
      const got = collect<Ably.Message>();
      await channel.subscribe((m) => got.push(m));
      await channel.publish('own', { n: 1 });
      const rest = new Ably.Rest(realtimeOptions(server(), format));
      await rest.channels.get('comet:pubsub').publish('rest', 'two');
      await channel.publish('binary', Buffer.from([1, 2, 3]));
      const items = await got.until(3);
      expect(items.map((m) => m.name)).toEqual(['own', 'rest', 'binary']);
      expect(items[0]!.data).toEqual({ n: 1 });
      expect(Buffer.from(items[2]!.data as ArrayBuffer)).toEqual(Buffer.from([1, 2, 3]));
      expect(items[0]!.connectionId).toBe(rt.connection.id);
      rt.close();
      await connectionState(rt, 'closed');
    });

    it('a comet subscriber and a WebSocket publisher see each other in presence and messages', async () => {
      const sub = track(new Ably.Realtime(cometOptions({ clientId: 'comet-user' })));
      const pub = track(
        new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'ws-user' })),
      );
      const subChannel = sub.channels.get('comet:presence');
      const pubChannel = pub.channels.get('comet:presence');
      await subChannel.presence.enter('over comet');
      const entered = new Promise<Ably.PresenceMessage>((resolve) =>
        subChannel.presence.subscribe('enter', (m) => m.clientId === 'ws-user' && resolve(m)),
      );
      await pubChannel.presence.enter('over ws');
      expect((await entered).data).toBe('over ws');
      const members = await pubChannel.presence.get();
      expect(members.map((m) => `${m.clientId}:${String(m.data)}`).sort()).toEqual([
        'comet-user:over comet',
        'ws-user:over ws',
      ]);
      const got = collect<Ably.Message>();
      await subChannel.subscribe((m) => got.push(m));
      for (let i = 0; i < 20; i++) await pubChannel.publish('n', String(i));
      expect((await got.until(20)).map((m) => m.data)).toEqual(numbers(20));
      const left = new Promise<void>((resolve) =>
        pubChannel.presence.subscribe('leave', (m) => m.clientId === 'comet-user' && resolve()),
      );
      sub.close();
      await left;
    });

    it('RTN22: 3-second tokens from an authCallback are renewed over comet with no state change', async () => {
      const backend = new Ably.Rest(realtimeOptions(server(), format));
      let issued = 0;
      const rt = track(
        new Ably.Realtime({
          ...server().clientOptions(format),
          logLevel: 0,
          transports: ['comet'],
          authCallback: (_params, cb) => {
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
      const channel = rt.channels.get('comet:renewal');
      const got = collect<Ably.Message>();
      await channel.subscribe((m) => got.push(m));
      const changes: string[] = [];
      rt.connection.on((c) => c.previous !== c.current && changes.push(c.current));
      const renewedTwice = new Promise<void>((resolve) => {
        const check = (): void => (issued >= 3 ? resolve() : void setTimeout(check, 100));
        check();
      });
      let n = 0;
      const publisher = backend.channels.get('comet:renewal');
      while (issued < 3) {
        await publisher.publish('tick', String(n++));
        await Promise.race([renewedTwice, new Promise((r) => setTimeout(r, 300))]);
      }
      await publisher.publish('tick', String(n++));
      expect((await got.until(n)).map((m) => m.data)).toEqual(numbers(n));
      expect(changes).toEqual([]);
      expect(rt.connection.id).toBe(id);
      expect(channel.state).toBe('attached');
    }, 30_000);

    it('RTN15c6: cut HTTP sockets resume the same connection and nothing published meanwhile is lost', async () => {
      const proxy = await startTcpProxy(server().port);
      const rt = track(new Ably.Realtime(cometOptions({ port: proxy.port })));
      await connectionState(rt, 'connected');
      const id = rt.connection.id;
      const channel = rt.channels.get('comet:resume');
      const got = collect<Ably.Message>();
      await channel.subscribe((m) => got.push(m));
      const publisher = new Ably.Rest(realtimeOptions(server(), format)).channels.get(
        'comet:resume',
      );
      await publisher.publish('n', '0');
      await got.until(1);
      // What the server writes now vanishes on the way, then the sockets die.
      proxy.blackhole();
      for (const n of ['1', '2', '3']) await publisher.publish('n', n);
      const reconnected = rt.connection.once('connected');
      proxy.dropAll();
      for (const n of ['4', '5']) await publisher.publish('n', n);
      await reconnected;
      expect(rt.connection.id).toBe(id);
      expect(transportName(rt)).toBe('comet');
      await publisher.publish('n', '6');
      await got.until(7);
      expect(got.items.map((m) => m.data)).toEqual(numbers(7));
      await proxy.close();
    }, 30_000);

    it('RTN19a: publishes in flight over a cut are ACKed once and delivered once', async () => {
      const proxy = await startTcpProxy(server().port);
      const pub = track(new Ably.Realtime(cometOptions({ port: proxy.port })));
      const sub = track(new Ably.Realtime(cometOptions()));
      const got = collect<Ably.Message>();
      await sub.channels.get('comet:inflight').subscribe((m) => got.push(m));
      await connectionState(pub, 'connected');
      const channel = pub.channels.get('comet:inflight');
      await channel.attach();
      const sent = numbers(5).map((n) => channel.publish('n', n));
      proxy.dropAll();
      await Promise.all(sent);
      await channel.publish('n', '5');
      await got.until(6);
      expect(got.items.map((m) => m.data)).toEqual(numbers(6));
      await proxy.close();
    }, 30_000);
  },
);

describe.each(FORMATS)('WebSocket blocked, useBinaryProtocol for %s', (format) => {
  const { server, track } = useServer();

  it('a client whose WebSocket gets no answer falls back to comet, and back to WebSocket once it opens, losing nothing', async () => {
    const proxy = await startWebSocketBlockingProxy(server().port);
    const rt = track(
      new Ably.Realtime(
        realtimeOptions(server(), format, {
          port: proxy.port,
          transports: ['web_socket', 'comet'],
          // Shortened from 4 s and 10 s so the fallback comes quickly.
          webSocketSlowTimeout: 200,
          webSocketConnectTimeout: 800,
          wsConnectivityCheckUrl: `ws://127.0.0.1:${proxy.port}/`,
        } as Ably.ClientOptions),
      ),
    );
    await connectionState(rt, 'connected');
    expect(transportName(rt)).toBe('comet');
    const id = rt.connection.id;
    const channel = rt.channels.get('comet:fallback');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    const publisher = new Ably.Rest(realtimeOptions(server(), format)).channels.get(
      'comet:fallback',
    );
    for (const n of numbers(3)) await publisher.publish('n', n);
    await got.until(3);

    // WebSockets pass again; a cut makes the client reconnect, and its connectivity check now
    // succeeds before the (held back) comet connect: it resumes over a WebSocket.
    proxy.blockWebSockets = false;
    proxy.delayCometConnectMs = 2000;
    const resumed = new Promise<void>((resolve) => {
      const onConnected = (): void => {
        if (transportName(rt) === 'web_socket') resolve();
        else void rt.connection.once('connected', onConnected);
      };
      void rt.connection.once('connected', onConnected);
    });
    proxy.dropAll();
    for (const n of ['3', '4', '5']) await publisher.publish('n', n);
    await resumed;
    expect(rt.connection.id).toBe(id);
    await publisher.publish('n', '6');
    await got.until(7);
    expect(got.items.map((m) => m.data)).toEqual(numbers(7));
    await proxy.close();
  }, 30_000);
});

describe('a comet stream held open past the HTTP request timeout', () => {
  const { server, track } = useServer({
    limits: { requestTimeoutMs: 1000, headersTimeoutMs: 500 },
  });

  it('stays up: requestTimeoutMs bounds reading a request, not a response being streamed', async () => {
    const rt = track(
      new Ably.Realtime(realtimeOptions(server(), 'json', { transports: ['comet'] })),
    );
    await connectionState(rt, 'connected');
    const changes: string[] = [];
    rt.connection.on((c) => changes.push(c.current));
    const got = collect<Ably.Message>();
    await rt.channels.get('comet:long').subscribe((m) => got.push(m));
    const publisher = new Ably.Rest(realtimeOptions(server(), 'json')).channels.get('comet:long');
    // Spread over three times the request timeout, each one awaited on arrival.
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await publisher.publish('n', String(i));
      await got.until(i + 1);
    }
    expect(got.items.map((m) => m.data)).toEqual(numbers(6));
    expect(changes).toEqual([]);
  }, 20_000);
});
