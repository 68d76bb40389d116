import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresTestSchema, redisTestPrefix } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably } from './helpers.js';
import { clusterEnv, spawnNode, type ServerProcess } from './server-process.js';

// Two nodes in separate processes share one Redis (a prefix of their own) and one PostgreSQL
// schema; each channel's Redis window is small, so history beyond it can only come from the store.
const redis = await redisTestPrefix('scale-out-persisted');
const db = await postgresTestSchema('scale-out-persisted');
afterAll(async () => {
  await redis?.drop();
  await db?.drop();
});

const SECRET = 'persisted-cluster-secret-0123456789';
const WINDOW = 20;
const PUBLISHED = 3 * WINDOW;

const options = (port: number): Ably.ClientOptions => ({
  endpoint: '127.0.0.1',
  port,
  tls: false,
  key: `kept.k:${SECRET}`,
  useBinaryProtocol: true,
  logLevel: 0,
});

describe.skipIf(!redis || !db)('persisted namespaces on a cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-persisted-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      apps: [
        {
          id: 'kept',
          keys: [{ name: 'k', secret: SECRET }],
          namespaces: [{ id: 'keep', persisted: true }],
        },
      ],
      limits: { historyMaxMessages: WINDOW },
    }),
  );
  const env = (): Record<string, string> => clusterEnv(redis!, db!);
  const nodes: Record<'a' | 'b', ServerProcess> = {} as never;
  const clients: Ably.Realtime[] = [];
  const start = (name: 'a' | 'b') => spawnNode(config, name, env());

  beforeAll(async () => {
    nodes.a = await start('a');
    nodes.b = await start('b');
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const node of Object.values(nodes)) await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every page of a channel's history on a node, oldest first. */
  const fullHistory = async (port: number, channel: string): Promise<Ably.Message[]> => {
    const rest = new Ably.Rest(options(port));
    let page = await rest.channels.get(channel).history({ direction: 'forwards', limit: 25 });
    const items = [...page.items];
    while (page.hasNext()) {
      page = (await page.next())!;
      items.push(...page.items);
    }
    return items;
  };

  it('what B took is in history on A beyond the Redis window, and after both nodes restart', async () => {
    const publisher = new Ably.Realtime(options(nodes.b.port));
    clients.push(publisher);
    const kept = publisher.channels.get('keep:log');
    const plain = publisher.channels.get('plain:log');
    // Each ACK comes once the message is in the store.
    for (let i = 0; i < PUBLISHED; i++) {
      await kept.publish(`m${i}`, String(i));
      await plain.publish(`m${i}`, String(i));
    }
    const expected = Array.from({ length: PUBLISHED }, (_, i) => `m${i}`);

    // A channel outside the persisted namespace has only the Redis window: it did roll.
    const windowOnly = await fullHistory(nodes.a.port, 'plain:log');
    expect(windowOnly.map((m) => m.name)).toEqual(expected.slice(-WINDOW));

    const onA = await fullHistory(nodes.a.port, 'keep:log');
    expect(onA.map((m) => m.name)).toEqual(expected);
    // The serials are the broker's: the ones B's publisher saw live.
    const live = await fullHistory(nodes.b.port, 'keep:log');
    expect(onA.map((m) => m.serial)).toEqual(live.map((m) => m.serial));
    expect(new Set(onA.map((m) => m.serial)).size).toBe(PUBLISHED);

    publisher.close();
    await nodes.a.close();
    await nodes.b.close();
    nodes.a = await start('a');
    nodes.b = await start('b');
    const afterRestart = await fullHistory(nodes.a.port, 'keep:log');
    expect(afterRestart.map((m) => m.name)).toEqual(expected);
    expect(afterRestart.map((m) => m.serial)).toEqual(onA.map((m) => m.serial));
  }, 120_000);
});
