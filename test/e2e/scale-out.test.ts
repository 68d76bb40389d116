import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEAD_NODE_BOUND_MS } from '@switchboard/server';
import { postgresTestSchema, redisTestPrefix, startTcpProxy } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, collect, connectionState } from './helpers.js';
import { clusterEnv, logged, spawnNode, type ServerProcess } from './server-process.js';

// Three nodes in separate processes share one Redis (a prefix of their own) and one store.
const redis = await redisTestPrefix('scale-out');
const db = await postgresTestSchema('scale-out');
afterAll(async () => {
  await redis?.drop();
  await db?.drop();
});

const KEY = 'cluster.k:cluster-test-secret-0123456789';
const TOTAL = 10_000;
const IN_FLIGHT = 200;
const REST_BATCH = 100;
const PRESENCE_GRACE_MS = 1000;

function writeConfig(dir: string): string {
  const path = join(dir, 'config.json');
  const config = {
    apps: [
      {
        id: 'cluster',
        keys: [{ name: 'k', secret: 'cluster-test-secret-0123456789', revocableTokens: true }],
      },
    ],
    limits: {
      maxInboundRate: 100_000,
      historyMaxMessages: 20_000,
      presenceGraceMs: PRESENCE_GRACE_MS,
    },
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const options = (port: number, extra: Ably.ClientOptions = {}): Ably.ClientOptions => ({
  endpoint: '127.0.0.1',
  port,
  tls: false,
  key: KEY,
  useBinaryProtocol: true,
  disconnectedRetryTimeout: 250,
  suspendedRetryTimeout: 500,
  logLevel: 0,
  ...extra,
});

/** Publishes `count` messages named `rt:<i>` over realtime, `IN_FLIGHT` unacknowledged at a time. */
async function publishRealtime(channel: Ably.RealtimeChannel, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await channel.publish(`rt:${i}`, String(i));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Publishes `count` messages named `rest:<i>` over REST, REST_BATCH per request, in order. */
async function publishRest(
  channel: ReturnType<Ably.Rest['channels']['get']>,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i += REST_BATCH) {
    const batch = Array.from({ length: Math.min(REST_BATCH, count - i) }, (_, k) => ({
      name: `rest:${i + k}`,
      data: String(i + k),
    }));
    await channel.publish(batch);
  }
}

/** The numbers after `prefix:` in the names, in arrival order. */
const numbered = (names: string[], prefix: string): number[] =>
  names.filter((n) => n.startsWith(`${prefix}:`)).map((n) => Number(n.slice(prefix.length + 1)));

describe.skipIf(!redis || !db)('three nodes on Redis act as one server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-'));
  const config = writeConfig(dir);
  const nodes: Record<'a' | 'b' | 'c', ServerProcess> = {} as never;
  const clients: (Ably.Realtime | undefined)[] = [];
  const realtime = (port: number, extra?: Ably.ClientOptions): Ably.Realtime => {
    const client = new Ably.Realtime(options(port, extra));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c'] as const)
      nodes[name] = await spawnNode(config, name, clusterEnv(redis!, db!));
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c?.close();
    for (const node of Object.values(nodes)) await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a subscriber on A gets 10,000 messages published on B (realtime) and C (REST) in order, once each', async () => {
    const subscriber = realtime(nodes.a.port);
    const channelA = subscriber.channels.get('cluster:room');
    const got = collect<{ name: string; serial: string }>();
    await channelA.subscribe((m) => got.push({ name: m.name!, serial: m.serial! }));

    const publisher = realtime(nodes.b.port);
    const channelB = publisher.channels.get('cluster:room');
    await channelB.attach();
    const rest = new Ably.Rest(options(nodes.c.port));
    await Promise.all([
      publishRealtime(channelB, TOTAL / 2),
      publishRest(rest.channels.get('cluster:room'), TOTAL / 2),
    ]);

    const items = await got.until(TOTAL, 60_000);
    // Nothing more arrives once all were delivered (no duplicates trailing behind).
    await rest.channels.get('cluster:room').publish('end', null);
    await got.until(TOTAL + 1);
    const names = items.slice(0, TOTAL).map((m) => m.name);
    expect(new Set(names).size).toBe(TOTAL);
    const rt = numbered(names, 'rt');
    const viaRest = numbered(names, 'rest');
    expect(viaRest).toEqual(viaRest.map((_, i) => i));
    expect(rt).toHaveLength(TOTAL / 2);
    expect(new Set(rt).size).toBe(TOTAL / 2);
    // One serial sequence across the nodes: what A receives is in serial order.
    // (A message serial is `<channel serial>:<index>`; channel serials sort as text.)
    const position = (serial: string) => {
      const colon = serial.lastIndexOf(':');
      return [serial.slice(0, colon), Number(serial.slice(colon + 1))] as const;
    };
    const outOfOrder = items.slice(1).filter((m, i) => {
      const [ch, ix] = position(m.serial);
      const [prevCh, prevIx] = position(items[i]!.serial);
      return ch < prevCh || (ch === prevCh && ix <= prevIx);
    });
    expect(outOfOrder).toEqual([]);
    expect(items.at(-1)?.name).toBe('end');
  }, 120_000);

  it('binary data crosses nodes as binary; a message id published on two nodes arrives once (RSL1k)', async () => {
    const subscriber = realtime(nodes.a.port);
    const got = collect<Ably.Message>();
    await subscriber.channels.get('cluster:ids').subscribe((m) => got.push(m));
    const publisher = realtime(nodes.b.port);
    await publisher.channels.get('cluster:ids').publish('bytes', new Uint8Array([0, 1, 254, 255]));
    const restB = new Ably.Rest(options(nodes.b.port));
    const restC = new Ably.Rest(options(nodes.c.port));
    await restB.channels.get('cluster:ids').publish({ id: 'same-id', name: 'once', data: 'b' });
    await restC.channels.get('cluster:ids').publish({ id: 'same-id', name: 'once', data: 'c' });
    await restC.channels.get('cluster:ids').publish('last', null);
    const items = await got.until(3);
    expect(items.map((m) => m.name)).toEqual(['bytes', 'once', 'last']);
    expect(new Uint8Array(items[0]!.data as ArrayBuffer)).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(items[1]!.data).toBe('b');
  }, 60_000);

  it('presence entered on B is seen by presence.get() on A and C', async () => {
    const member = realtime(nodes.b.port, { clientId: 'bob' });
    await member.channels.get('cluster:lobby').presence.enter('from B');
    for (const port of [nodes.a.port, nodes.c.port]) {
      const observer = realtime(port);
      const members = await observer.channels.get('cluster:lobby').presence.get();
      expect(members.map((m) => [m.clientId, m.data])).toEqual([['bob', 'from B']]);
    }
    const rest = new Ably.Rest(options(nodes.c.port));
    const page = await rest.channels.get('cluster:lobby').presence.get();
    expect(page.items.map((m) => m.clientId)).toEqual(['bob']);
  }, 60_000);

  it('a connection recorded by B is not resumed on A with a forged key or by another clientId (80018)', async () => {
    const owner = realtime(nodes.b.port, { clientId: 'owner' });
    await connectionState(owner, 'connected');
    const recovery = JSON.parse(owner.connection.createRecoveryKey()!) as {
      connectionKey: string;
    };
    const forged = JSON.stringify({
      ...recovery,
      connectionKey: `${owner.connection.id}!forged-secret`,
    });
    const attempts = [
      realtime(nodes.a.port, { clientId: 'owner', recover: forged }),
      realtime(nodes.a.port, { clientId: 'thief', recover: owner.connection.createRecoveryKey()! }),
    ];
    // Both listen from the start: the second may connect while the first is awaited.
    const connected = attempts.map(
      (attempt) =>
        new Promise<Ably.ConnectionStateChange>((resolve) =>
          attempt.connection.once('connected', resolve),
        ),
    );
    for (const [i, attempt] of attempts.entries()) {
      const change = await connected[i]!;
      expect(change.reason?.code).toBe(80018);
      expect(attempt.connection.id).not.toBe(owner.connection.id);
    }
    // The owner's connection was not taken over.
    expect(owner.connection.state).toBe('connected');
    expect(nodes.b.output()).not.toContain('connection moved to another node');
  }, 30_000);

  it('a resume on A of a connection B still holds moves it: B drops its copy, resent publishes are not applied twice', async () => {
    const proxy = await startTcpProxy(nodes.b.port);
    const twin = realtime(proxy.port, { clientId: 'twin' });
    const channel = twin.channels.get('cluster:takeover');
    await channel.presence.enter();
    await connectionState(twin, 'connected');
    const idOnB = twin.connection.id;

    const observer = realtime(nodes.c.port);
    const observed = observer.channels.get('cluster:takeover');
    const got = collect<string>();
    await observed.subscribe((m) => got.push(m.name!));
    const leaves: string[] = [];
    await observed.presence.subscribe('leave', (m) => void leaves.push(m.clientId!));

    // B takes five publishes, but its ACKs never reach the client: it resends them on resume.
    proxy.blackhole();
    const pending = Array.from({ length: 5 }, (_, i) => channel.publish(`p${i}`, null));
    await got.until(5);
    proxy.retarget(nodes.a.port);
    const resumed = new Promise<Ably.ConnectionStateChange>((resolve) =>
      twin.connection.once('connected', resolve),
    );
    proxy.dropAll();
    const change = await resumed;
    expect(change.reason).toBeFalsy();
    expect(twin.connection.id).toBe(idOnB);
    await logged(nodes.b, 'connection moved to another node');
    // The resends are answered (ACK) but dropped as repeats by their ids.
    await Promise.all(pending);
    await channel.publish('after', null);
    expect(await got.until(6)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'after']);

    // Had B kept its copy, its presence grace would have run out and the member left: the
    // absence of a leave can only be seen by waiting past that grace.
    await new Promise((resolve) => setTimeout(resolve, PRESENCE_GRACE_MS * 2));
    expect(leaves).toEqual([]);
    expect((await observed.presence.get()).map((m) => m.clientId)).toEqual(['twin']);
    await proxy.close();
  }, 60_000);

  it('a token revocation made on C ends the connection on A at once, and a node started later refuses the token', async () => {
    const restC = new Ably.Rest(options(nodes.c.port));
    const token = await restC.auth.requestToken({ clientId: 'revokee' });
    const onToken = (port: number): Ably.Realtime => {
      const { key: _key, ...rest } = options(port);
      return realtime(port, { ...rest, key: undefined, token: token.token });
    };
    const onA = onToken(nodes.a.port);
    await connectionState(onA, 'connected');
    const disconnected = new Promise<Ably.ConnectionStateChange>((resolve) =>
      onA.connection.once('disconnected', resolve),
    );
    const result = await restC.auth.revokeTokens([{ type: 'clientId', value: 'revokee' }]);
    expect(result.successCount).toBe(1);
    expect((await disconnected).reason?.code).toBe(40141);

    // D shares only Redis with the others (its store is its own SQLite): it reads the revocation
    // from Redis when it starts.
    const d = await spawnNode(config, 'd', clusterEnv(redis!));
    try {
      const onD = onToken(d.port);
      // The server refuses the revoked token (40141); with no way to renew, the client fails (40171).
      const change = await new Promise<Ably.ConnectionStateChange>((resolve) =>
        onD.connection.once('failed', resolve),
      );
      expect(change.reason?.code).toBe(40171);
      expect(d.output()).toContain('40141');
    } finally {
      await d.close();
    }
  }, 60_000);

  it('B killed with SIGKILL: its members leave within the bound, and its client resumes on A with the same connection id, without loss or duplicate', async () => {
    // A client on B behind one address (the proxy) that later leads to A, and one that stays on B.
    const proxy = await startTcpProxy(nodes.b.port);
    const movable = realtime(proxy.port, { clientId: 'mover' });
    const channel = movable.channels.get('cluster:failover');
    const got = collect<string>();
    await channel.subscribe((m) => got.push(m.name!));
    await channel.presence.enter();
    await connectionState(movable, 'connected');
    const idOnB = movable.connection.id;
    const stayer = realtime(nodes.b.port, { clientId: 'stayer' });
    await stayer.channels.get('cluster:failover').presence.enter();

    const watcher = realtime(nodes.a.port);
    const watched = watcher.channels.get('cluster:failover');
    await watched.attach();
    const leaves: string[] = [];
    const stayerLeft = new Promise<number>((resolve) =>
      watched.presence.subscribe('leave', (m) => {
        leaves.push(m.clientId!);
        if (m.clientId === 'stayer') resolve(Date.now());
      }),
    );
    expect((await watched.presence.get()).map((m) => m.clientId).sort()).toEqual([
      'mover',
      'stayer',
    ]);

    const rest = new Ably.Rest(options(nodes.c.port));
    const publisher = rest.channels.get('cluster:failover');
    let sent = 0;
    const publish = async (n: number) => {
      for (let i = 0; i < n; i++) await publisher.publish(`m${sent++}`, null);
    };
    await publish(50);
    await got.until(50);

    proxy.retarget(nodes.a.port);
    const killedAt = Date.now();
    const resumed = new Promise<Ably.ConnectionStateChange>((resolve) =>
      movable.connection.once('connected', resolve),
    );
    await nodes.b.kill();
    // Published while the client is cut off: it must get them from the shared log.
    await publish(100);
    // A holds no session for the key: it reads B's record from Redis and resumes it (RTN15c6).
    const change = await resumed;
    expect(change.reason).toBeFalsy();
    expect(movable.connection.id).toBe(idOnB);
    // Publishes from the moved connection reach the others once each.
    await channel.publish('from-mover', null);
    await publish(50);
    const names = await got.until(201, 30_000);
    expect(names.filter((n) => n !== 'from-mover')).toEqual(
      Array.from({ length: 200 }, (_, i) => `m${i}`),
    );
    expect(names.filter((n) => n === 'from-mover')).toHaveLength(1);

    const leftAt = await stayerLeft;
    expect(leftAt - killedAt).toBeLessThan(DEAD_NODE_BOUND_MS);
    // The moved client's member re-entered on A, so it did not leave with B.
    expect(leaves).not.toContain('mover');
    expect((await watched.presence.get()).map((m) => m.clientId)).toEqual(['mover']);
    await proxy.close();
  }, 90_000);
});
