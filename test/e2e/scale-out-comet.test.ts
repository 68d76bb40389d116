import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisTestPrefix, startTcpProxy, type TcpProxy } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, collect, connectionState } from './helpers.js';
import { clusterEnv, spawnNode, type ServerProcess } from './server-process.js';

// Comet (HTTP) clients on a cluster: the requests of one comet connection belong to one node, but
// a client whose node died resumes on another one, as a WebSocket client does.
const redis = await redisTestPrefix('scale-out-comet');
afterAll(async () => {
  await redis?.drop();
});

const SECRET = 'comet-cluster-secret-0123456789';
const KEY = `cometc.k:${SECRET}`;

describe.skipIf(!redis)('a comet client on a cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-comet-cluster-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      apps: [{ id: 'cometc', keys: [{ name: 'k', secret: SECRET }] }],
      limits: { presenceGraceMs: 1000 },
    }),
  );
  const nodes: ServerProcess[] = [];
  const clients: Ably.Realtime[] = [];
  let proxy: TcpProxy | undefined;

  const startNode = (id: string): Promise<ServerProcess> =>
    spawnNode(config, id, clusterEnv(redis!));

  beforeAll(async () => {
    nodes.push(await startNode('a'), await startNode('b1'));
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await proxy?.close();
    for (const n of nodes) await n.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const useBinaryProtocol of [false, true]) {
    it(`resumes on A with the same connection id when its node B is killed (${useBinaryProtocol ? 'msgpack' : 'json'})`, async () => {
      const [a, b] = nodes as [ServerProcess, ServerProcess];
      proxy ??= await startTcpProxy(b.port);
      proxy.retarget(b.port);
      const client = new Ably.Realtime({
        endpoint: '127.0.0.1',
        port: proxy.port,
        tls: false,
        key: KEY,
        clientId: 'poller',
        transports: ['comet'],
        useBinaryProtocol,
        disconnectedRetryTimeout: 250,
        logLevel: 0,
      });
      clients.push(client);
      const channelName = `cometc:room-${useBinaryProtocol ? 'm' : 'j'}`;
      const channel = client.channels.get(channelName);
      const got = collect<string>();
      await channel.subscribe((m) => got.push(m.name!));
      await channel.presence.enter();
      await connectionState(client, 'connected');
      const idOnB = client.connection.id;

      const rest = new Ably.Rest({ endpoint: '127.0.0.1', port: a.port, tls: false, key: KEY });
      const publisher = rest.channels.get(channelName);
      let sent = 0;
      const publish = async (n: number): Promise<void> => {
        for (let i = 0; i < n; i++) await publisher.publish(`m${sent++}`, null);
      };
      await publish(20);
      await got.until(20);

      proxy.retarget(a.port);
      const resumed = new Promise<Ably.ConnectionStateChange>((resolve) =>
        client.connection.once('connected', resolve),
      );
      await b.kill();
      // Published while the client is cut off: it gets them from the shared log on A.
      await publish(30);
      const change = await resumed;
      expect(change.reason).toBeFalsy();
      expect(client.connection.id).toBe(idOnB);
      // The resumed comet connection publishes and receives through A.
      await channel.publish('from-poller', null);
      await publish(10);
      const names = await got.until(61, 30_000);
      expect(names.filter((n) => n !== 'from-poller')).toEqual(
        Array.from({ length: 60 }, (_, i) => `m${i}`),
      );
      expect(names.filter((n) => n === 'from-poller')).toHaveLength(1);
      const members = await rest.channels.get(channelName).presence.get();
      expect(members.items.map((m) => m.clientId)).toEqual(['poller']);
      client.close();
      // A new B for the next case.
      nodes[1] = await startNode(`b${nodes.length}`);
    }, 90_000);
  }
});
