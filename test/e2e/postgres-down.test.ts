import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startSwitchboard, type Switchboard } from '@switchboard/server-node';
import { postgresTestSchema, startTcpProxy, type TcpProxy } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Ably, collect } from './helpers.js';

// The real PostgreSQL behind a TCP proxy, so the test can take the database away from the node
// (every connection reset, new ones refused) while the node and its clients carry on.
const db = await postgresTestSchema('postgres-down');
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-pg-down-'));
let proxy: TcpProxy | undefined;
let server: Switchboard | undefined;
afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!db)('PostgreSQL down', () => {
  it('persisted publishes NACK with 50001, nothing else stops, and the node recovers on its own', async () => {
    proxy = await startTcpProxy(Number(new URL(db!.url).port || 5432));
    const url = new URL(db!.url);
    url.port = String(proxy.port);
    const config = loadConfig(
      { port: '0', host: '127.0.0.1', dataDir },
      { DATABASE_URL: url.toString(), SWITCHBOARD_DATABASE_SCHEMA: db!.schema },
    );
    server = await startSwitchboard({
      ...config,
      apps: [
        {
          id: 'pgdown',
          keys: [{ name: 'k', secret: 'pg-down-secret-0123456789' }],
          namespaces: [{ id: 'kept', persisted: true }],
        },
      ],
    });
    const options = (extra: Ably.ClientOptions = {}): Ably.ClientOptions => ({
      key: 'pgdown.k:pg-down-secret-0123456789',
      endpoint: '127.0.0.1',
      port: server!.port,
      tls: false,
      logLevel: 0,
      ...extra,
    });
    const signer = new Ably.Rest(options());
    const connectWithTokenRequest = async (): Promise<void> => {
      const client = new Ably.Realtime(
        options({
          key: undefined,
          authCallback: (_, done) =>
            void signer.auth.createTokenRequest({ clientId: 'signed' }).then(
              (request) => done(null, request),
              (err: Error) => done(err.message, null),
            ),
        }),
      );
      try {
        const settled = await new Promise<Ably.ConnectionStateChange>((resolve) =>
          client.connection.on((change) => {
            if (change.current !== 'connecting') resolve(change);
          }),
        );
        expect(settled.reason?.code).toBeUndefined();
        expect(settled.current).toBe('connected');
      } finally {
        client.close();
      }
    };
    const subscriber = new Ably.Realtime(options());
    const publisher = new Ably.Realtime(options({ clientId: 'writer' }));
    try {
      const kept = publisher.channels.get('kept:log');
      const got = collect<string>();
      await subscriber.channels.get('kept:log').subscribe((m) => got.push(m.data as string));
      await kept.publish('e', 'stored-1');

      proxy.refuse(true);
      proxy.dropAll();
      await expect(kept.publish('e', 'refused')).rejects.toMatchObject({
        code: 50001,
        statusCode: 500,
      });
      const rest = new Ably.Rest(options());
      await expect(
        rest.channels.get('kept:log').publish('e', 'refused-rest'),
      ).rejects.toMatchObject({ code: 50001 });

      // Everything that does not need the database goes on: plain channels, presence, new
      // connections, token requests.
      const plain = collect<string>();
      await subscriber.channels.get('plain').subscribe((m) => plain.push(m.data as string));
      await publisher.channels.get('plain').publish('e', 'fine');
      expect(await plain.until(1)).toEqual(['fine']);
      await publisher.channels.get('plain').presence.enter();
      const present = await subscriber.channels.get('plain').presence.get();
      expect(present.map((m) => m.clientId)).toEqual(['writer']);
      // A client on tokens from signed TokenRequests: the nonce is held until it can be written.
      await connectWithTokenRequest();
      expect(publisher.connection.state).toBe('connected');
      expect(subscriber.connection.state).toBe('connected');

      proxy.refuse(false);
      // The pool reconnects on the next query: no restart, no operator.
      await kept.publish('e', 'stored-2');
      expect(await got.until(2)).toEqual(['stored-1', 'stored-2']);
      const history = await rest.channels.get('kept:log').history();
      expect(history.items.map((m) => m.data)).toEqual(['stored-2', 'stored-1']);
      // The next TokenRequest writes the held nonce before its own.
      await connectWithTokenRequest();
      const nonces = await db!.query<{ n: number }>('SELECT count(*)::int AS n FROM used_nonces');
      expect(nonces[0]!.n).toBe(2);
    } finally {
      subscriber.close();
      publisher.close();
    }
  }, 60_000);
});
