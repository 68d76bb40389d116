import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresTestSchema, redisTestPrefix, startTcpProxy } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, collect, connectionState } from './helpers.js';
import { clusterEnv, logged, spawnNode, type ServerProcess } from './server-process.js';

// Three nodes in separate processes on one Redis prefix and one PostgreSQL schema.
const redis = await redisTestPrefix('scale-out-stats');
const db = await postgresTestSchema('scale-out-stats');
afterAll(async () => {
  await redis?.drop();
  await db?.drop();
});

const SECRET = 'stats-cluster-secret-0123456789';
const TALLY_KEY = `tally.k:${SECRET}`;
const LIMITED_KEY = `limited.k:${SECRET}`;
const CUT_KEY = `cut.k:${SECRET}`;
const MAX_INBOUND_RATE = 50;
const REALTIME_COUNT = 30;
const REST_COUNT = 20;

function writeConfig(dir: string): string {
  const path = join(dir, 'config.json');
  const app = (id: string) => ({ id, keys: [{ name: 'k', secret: SECRET }] });
  writeFileSync(
    path,
    JSON.stringify({
      apps: [app('tally'), app('limited'), app('cut')],
      limits: { maxInboundRate: MAX_INBOUND_RATE },
    }),
  );
  return path;
}

const options = (
  port: number,
  key: string,
  extra: Ably.ClientOptions = {},
): Ably.ClientOptions => ({
  endpoint: '127.0.0.1',
  port,
  tls: false,
  key,
  useBinaryProtocol: true,
  disconnectedRetryTimeout: 250,
  logLevel: 0,
  ...extra,
});

/** The sum of one entry over the records of a stats page. */
const total = (records: Ably.Stats[], entry: string): number =>
  records.reduce((sum, r) => sum + (r.entries[entry] ?? 0), 0);

const IN = 'messages.inbound.all.messages.count';
const IN_REALTIME = 'messages.inbound.realtime.messages.count';
const IN_REST = 'messages.inbound.rest.messages.count';
const OUT = 'messages.outbound.all.messages.count';

describe.skipIf(!redis || !db)('stats and inbound rate limits are cluster-wide', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-stats-'));
  const config = writeConfig(dir);
  const nodes: Record<'a' | 'b' | 'c', ServerProcess> = {} as never;
  const clients: Ably.Realtime[] = [];
  const realtime = (port: number, key: string, extra?: Ably.ClientOptions): Ably.Realtime => {
    const client = new Ably.Realtime(options(port, key, extra));
    clients.push(client);
    return client;
  };
  const startedAt = Date.now();

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c'] as const)
      nodes[name] = await spawnNode(config, name, clusterEnv(redis!, db!));
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const node of Object.values(nodes)) await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('client.stats() on C counts realtime publishes on A, REST publishes on B and deliveries on C; the store holds the cluster totals', async () => {
    const subscriber = realtime(nodes.c.port, TALLY_KEY);
    const got = collect<string>();
    await subscriber.channels.get('tally:room').subscribe((m) => got.push(m.name!));
    // Published without attaching: no echo, so the subscriber's are the only deliveries.
    const publisher = realtime(nodes.a.port, TALLY_KEY);
    await Promise.all(
      Array.from({ length: REALTIME_COUNT }, (_, i) =>
        publisher.channels.get('tally:room').publish(`rt${i}`, 'x'),
      ),
    );
    const restB = new Ably.Rest(options(nodes.b.port, TALLY_KEY));
    await restB.channels
      .get('tally:room')
      .publish(Array.from({ length: REST_COUNT }, (_, i) => ({ name: `rest${i}`, data: 'y' })));
    await got.until(REALTIME_COUNT + REST_COUNT);

    const restC = new Ably.Rest(options(nodes.c.port, TALLY_KEY));
    const since = startedAt - 60_000;
    const page = async () => (await restC.stats({ start: since, unit: 'minute' })).items;
    // Other nodes' counts arrive within their push period (STATS_PUSH_MS, one second).
    await expect
      .poll(async () => total(await page(), IN), { timeout: 5000 })
      .toBe(REALTIME_COUNT + REST_COUNT);
    const records = await page();
    expect(total(records, IN_REALTIME)).toBe(REALTIME_COUNT);
    expect(total(records, IN_REST)).toBe(REST_COUNT);
    expect(total(records, OUT)).toBe(REALTIME_COUNT + REST_COUNT);
    // The same answer from the other nodes.
    const onA = await new Ably.Rest(options(nodes.a.port, TALLY_KEY)).stats({
      start: since,
      unit: 'hour',
    });
    expect(total(onA.items, IN)).toBe(REALTIME_COUNT + REST_COUNT);

    // All three nodes save stats to one store: each row ends as the cluster's total, not as
    // the minute of whichever node saved last.
    const stored = async () => {
      const rows = await db!.query<{ entries: Record<string, number> }>(
        'SELECT entries FROM stats_minutes WHERE app_id = $1 AND minute >= $2',
        ['tally', since],
      );
      return [IN_REALTIME, IN_REST, OUT].map((e) =>
        rows.reduce((n, r) => n + (r.entries[e] ?? 0), 0),
      );
    };
    await expect
      .poll(stored, { timeout: 20_000, interval: 500 })
      .toEqual([REALTIME_COUNT, REST_COUNT, REALTIME_COUNT + REST_COUNT]);
  }, 60_000);

  it('a stats fixture POSTed on A is in GET /stats on B as soon as the POST answers; fixtures on two nodes add up', async () => {
    const minute = Date.UTC(2026, 0, 5, 10, 7);
    const fixture = (count: number) => [
      { intervalId: '2026-01-05:10:07', inbound: { realtime: { messages: { count } } } },
    ];
    const post = async (port: number, count: number) => {
      const answer = await new Ably.Rest(options(port, TALLY_KEY)).request(
        'post',
        '/stats',
        3,
        {},
        fixture(count),
      );
      expect(answer.statusCode).toBe(201);
    };
    const fixtureMinute = async (port: number) =>
      (
        await new Ably.Rest(options(port, TALLY_KEY)).stats({
          start: minute,
          end: minute,
          unit: 'minute',
        })
      ).items;
    await post(nodes.a.port, 5);
    const onB = await fixtureMinute(nodes.b.port);
    expect(onB.map((r) => r.intervalId)).toEqual(['2026-01-05:10:07']);
    expect(onB[0]!.entries[IN_REALTIME]).toBe(5);
    await post(nodes.c.port, 7);
    expect((await fixtureMinute(nodes.a.port))[0]!.entries[IN_REALTIME]).toBe(12);
  }, 30_000);

  it('over maxInboundRate a cluster node NACKs with 42910', async () => {
    const client = realtime(nodes.c.port, LIMITED_KEY);
    const channel = client.channels.get('limited:flood');
    const outcomes = await Promise.allSettled(
      Array.from({ length: MAX_INBOUND_RATE + 10 }, (_, i) => channel.publish(`f${i}`, null)),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(10);
    for (const o of refused) expect((o.reason as Ably.ErrorInfo).code).toBe(42910);
  }, 30_000);

  it('a client that resumes on another node inside the second keeps the budget it spent, not a fresh one', async () => {
    const proxy = await startTcpProxy(nodes.a.port);
    const client = realtime(proxy.port, LIMITED_KEY);
    await connectionState(client, 'connected');
    const idOnA = client.connection.id;
    const channel = client.channels.get('limited:mover');
    // Once connected, each publish leaves as its own ProtocolMessage: the count is exact.
    await Promise.all(
      Array.from({ length: MAX_INBOUND_RATE - 5 }, (_, i) => channel.publish(`a${i}`, null)),
    );

    proxy.retarget(nodes.b.port);
    const resumed = new Promise<Ably.ConnectionStateChange>((resolve) =>
      client.connection.once('connected', resolve),
    );
    proxy.dropAll();
    await resumed;
    expect(client.connection.id).toBe(idOnA);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        channel.publish(`b${i}`, null).then(
          () => 'ok',
          (err: Ably.ErrorInfo) => String(err.code),
        ),
      ),
    );
    // B's own window is fresh: only the cluster's count refuses five of them.
    expect(outcomes.sort()).toEqual([...Array(5).fill('42910'), ...Array(5).fill('ok')]);

    // Another connection on B has its own budget.
    const other = realtime(nodes.b.port, LIMITED_KEY);
    await other.channels.get('limited:mover').publish('fresh', null);
    await proxy.close();
  }, 30_000);

  it('with Redis unreachable a node answers GET /stats with its own counts, and adds what it counted meanwhile once Redis is back', async () => {
    const toRedis = await startTcpProxy(Number(new URL(redis!.url).port || 6379));
    const d = await spawnNode(config, 'd', {
      ...clusterEnv(redis!, db!),
      REDIS_URL: `redis://127.0.0.1:${toRedis.port}`,
    });
    try {
      const restD = new Ably.Rest(options(d.port, CUT_KEY));
      const restA = new Ably.Rest(options(nodes.a.port, CUT_KEY));
      await restD.channels.get('cut:room').publish('before', null);
      const fixture = [
        { intervalId: '2026-01-06:08:00', inbound: { rest: { messages: { count: 4 } } } },
      ];
      const inbound = async (rest: Ably.Rest, start?: number) =>
        total((await rest.stats({ unit: 'month', ...(start ? { start } : {}) })).items, IN);

      await expect.poll(() => inbound(restA), { timeout: 5000 }).toBe(1);
      toRedis.refuse(true);
      toRedis.dropAll();
      await logged(d, 'redis broker unreachable');
      const posted = await restD.request('post', '/stats', 3, {}, fixture);
      expect(posted.statusCode).toBe(201);
      // This node's own counts: the publish made before, and the fixture made while cut off.
      expect(await inbound(restD)).toBe(1 + 4);
      expect(await inbound(restA)).toBe(1);

      toRedis.refuse(false);
      await logged(d, 'redis broker reconnected');
      await expect.poll(() => inbound(restA), { timeout: 5000 }).toBe(1 + 4);
      expect(d.alive()).toBe(true);
    } finally {
      await d.close();
      await toRedis.close();
    }
  }, 60_000);
});
