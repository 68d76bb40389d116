import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresTestSchema, redisTestPrefix, startTcpProxy } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, type Format } from './helpers.js';
import { clusterEnv, spawnNode, spawnServer, type ServerProcess } from './server-process.js';

// Three nodes in separate processes share one Redis (a prefix of their own) and one PostgreSQL
// schema: updates, deletes, appends and annotations published on one node behave on the others as
// on a single node.
const redis = await redisTestPrefix('scale-out-operations');
const db = await postgresTestSchema('scale-out-operations');
afterAll(async () => {
  await redis?.drop();
  await db?.drop();
});

const SECRET = 'operations-cluster-secret-0123456789';
const MODES: Ably.ChannelMode[] = [
  'PUBLISH',
  'SUBSCRIBE',
  'ANNOTATION_PUBLISH',
  'ANNOTATION_SUBSCRIBE',
];
const NODES = ['a', 'b', 'c'] as const;
/** `d` reaches PostgreSQL through a proxy the fault test cuts. */
type Node = (typeof NODES)[number] | 'd';

describe.skipIf(!redis || !db)('message operations and annotations on a cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-operations-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      apps: [
        {
          id: 'ops',
          keys: [{ name: 'k', secret: SECRET }],
          namespaces: [
            { id: 'mutable', mutableMessages: true },
            { id: 'keep', mutableMessages: true, persisted: true },
          ],
        },
      ],
    }),
  );
  const env = (): Record<string, string> => clusterEnv(redis!, db!);
  const nodes = {} as Record<Node, ServerProcess>;
  const closeAll = async () => {
    for (const node of Object.values(nodes)) await node.close();
  };
  const clients: Ably.Realtime[] = [];
  const start = (name: Node) => spawnNode(config, name, env());

  beforeAll(async () => {
    for (const name of NODES) nodes[name] = await start(name);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (node: Node, format: Format, clientId?: string): Ably.ClientOptions => ({
    endpoint: '127.0.0.1',
    port: nodes[node].port,
    tls: false,
    key: `ops.k:${SECRET}`,
    useBinaryProtocol: format === 'msgpack',
    logLevel: 0,
    ...(clientId ? { clientId } : {}),
  });
  const realtime = (node: Node, format: Format, clientId?: string): Ably.Realtime => {
    const client = new Ably.Realtime(options(node, format, clientId));
    clients.push(client);
    return client;
  };
  const rest = (node: Node, format: Format, clientId?: string) =>
    new Ably.Rest(options(node, format, clientId));

  describe.each(FORMATS)('over %s', (format) => {
    it('RTL32/RSL15: an append, update and delete on B reach A in order; A and C show the latest version', async () => {
      const name = `mutable:edits-${format}`;
      const onA = realtime('a', format).channels.get(name);
      const got = collect<Ably.Message>();
      await onA.subscribe((m) => got.push(m));
      const onB = realtime('b', format, 'author').channels.get(name);
      const { serials } = await onB.publish('message:ai', 'Hello');
      const serial = serials[0]!;
      const appended = await onB.appendMessage({ serial, data: ' World' } as Ably.Message);
      const updated = await onB.updateMessage({ serial, data: 'Hello there' } as Ably.Message, {
        metadata: { reason: 'typo' },
      });
      const deleted = await onB.deleteMessage({ serial, data: {} } as Ably.Message);

      const items = await got.until(4);
      expect(items.map((m) => [m.action, m.serial, m.version?.serial])).toEqual([
        // A create carries no version: the client fills in its serial from the message (TM2s).
        ['message.create', serial, serial],
        ['message.append', serial, appended.versionSerial],
        ['message.update', serial, updated.versionSerial],
        ['message.delete', serial, deleted.versionSerial],
      ]);
      expect(items.slice(1).map((m) => [m.name, m.clientId])).toEqual(
        Array.from({ length: 3 }, () => ['message:ai', 'author']),
      );
      // Version serials come from the channel's one sequence: they sort in publish order.
      const versionSerials = [appended, updated, deleted].map((r) => r.versionSerial!);
      expect([...versionSerials].sort()).toEqual(versionSerials);
      expect(versionSerials[0]! > serial).toBe(true);

      // RTL15b: a rewind on C replays from the shared log, the message in its latest version.
      const rewound = collect<Ably.Message>();
      await realtime('c', format)
        .channels.get(name, { params: { rewind: '10' } })
        .subscribe((m) => rewound.push(m));
      expect((await rewound.until(1)).map((m) => [m.serial, m.action, m.version?.serial])).toEqual([
        [serial, 'message.delete', deleted.versionSerial],
      ]);

      for (const node of ['a', 'c'] as const) {
        const channel = rest(node, format).channels.get(name);
        const latest = await channel.getMessage(serial);
        expect([latest.action, latest.version?.serial]).toEqual([
          'message.delete',
          deleted.versionSerial,
        ]);
        const versions = await channel.getMessageVersions(serial);
        expect(versions.items.map((m) => [m.action, m.data])).toEqual([
          ['message.create', 'Hello'],
          ['message.update', 'Hello World'],
          ['message.update', 'Hello there'],
          ['message.delete', {}],
        ]);
        expect(versions.items[2]!.version?.metadata).toEqual({ reason: 'typo' });
        const history = await channel.history();
        expect(history.items.map((m) => [m.serial, m.action])).toEqual([
          [serial, 'message.delete'],
        ]);
      }
    });

    it('RTAN1/RSAN1/RSAN3: annotations on B and C give A the ANNOTATION and the message.summary; annotations.get on C lists them', async () => {
      const name = `mutable:reactions-${format}`;
      const onA = realtime('a', format).channels.get(name, { modes: MODES });
      const messages = collect<Ably.InboundMessage>();
      const annotations = collect<Ably.Annotation>();
      await onA.subscribe((m) => messages.push(m));
      await onA.annotations.subscribe((a) => annotations.push(a));
      const { serials } = await onA.publish('question', 'which?');
      const serial = serials[0]!;
      await messages.until(1);

      const onB = realtime('b', format, 'fan').channels.get(name, { modes: MODES });
      await onB.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '👍' });
      await rest('c', format, 'critic')
        .channels.get(name)
        .annotations.publish(serial, { type: 'reaction:distinct.v1', name: '👎' });

      const shown = await annotations.until(2);
      expect(shown.map((a) => [a.action, a.messageSerial, a.name, a.clientId])).toEqual([
        ['annotation.create', serial, '👍', 'fan'],
        ['annotation.create', serial, '👎', 'critic'],
      ]);
      expect(shown[0]!.serial! > serial).toBe(true);
      expect(shown[1]!.serial! > shown[0]!.serial!).toBe(true);
      const summaries = (await messages.until(3)).slice(1);
      expect(summaries.map((m) => [m.action, m.serial])).toEqual([
        ['message.summary', serial],
        ['message.summary', serial],
      ]);
      const expected = {
        'reaction:distinct.v1': {
          '👍': { total: 1, clientIds: ['fan'], clipped: false },
          '👎': { total: 1, clientIds: ['critic'], clipped: false },
        },
      };
      expect(summaries[1]!.annotations.summary).toEqual(expected);

      const listed = await realtime('c', format).channels.get(name).annotations.get(serial, {});
      expect(listed.items.map((a) => [a.serial, a.name, a.clientId])).toEqual(
        shown.map((a) => [a.serial, a.name, a.clientId]),
      );
      const onC = rest('c', format).channels.get(name);
      expect((await onC.getMessage(serial)).annotations?.summary).toEqual(expected);
      expect((await onC.history()).items[0]!.annotations?.summary).toEqual(expected);
    });
  });

  it('on a persisted namespace, an update or annotation the store cannot take is NACKed with 50001, and the next one is stored', async () => {
    const url = new URL(db!.url);
    const proxy = await startTcpProxy(Number(url.port || 5432));
    try {
      url.port = String(proxy.port);
      nodes.d = await spawnServer(
        ['-c', config],
        { ...env(), DATABASE_URL: url.toString(), SWITCHBOARD_NODE_ID: 'd' },
        { expectDevKey: false },
      );
      const name = 'keep:faults';
      const onD = realtime('d', 'msgpack', 'author').channels.get(name, { modes: MODES });
      const { serials } = await onD.publish('draft', 'v1');
      const serial = serials[0]!;

      proxy.refuse(true);
      proxy.dropAll();
      await expect(
        onD.updateMessage({ serial, data: 'lost' } as Ably.Message),
      ).rejects.toMatchObject({ code: 50001 });
      await expect(
        onD.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '💥' }),
      ).rejects.toMatchObject({ code: 50001 });

      proxy.refuse(false);
      const kept = await onD.updateMessage({ serial, data: 'v2' } as Ably.Message);
      const stored = await rest('a', 'json').channels.get(name).history();
      expect(stored.items.map((m) => [m.data, m.version?.serial])).toEqual([
        ['v2', kept.versionSerial],
      ]);
    } finally {
      await nodes.d?.close();
      delete (nodes as Partial<Record<Node, ServerProcess>>).d;
      await proxy.close();
    }
  }, 60_000);

  it('on a persisted namespace, operations and annotations are stored before the ACK and shown after every node restarts', async () => {
    const name = 'keep:edits';
    const onB = realtime('b', 'msgpack', 'author').channels.get(name, { modes: MODES });
    const { serials } = await onB.publish('draft', 'v1');
    const serial = serials[0]!;
    const updated = await realtime('a', 'msgpack', 'author')
      .channels.get(name)
      .updateMessage({ serial, data: 'v2' } as Ably.Message);
    await realtime('c', 'json', 'fan')
      .channels.get(name, { modes: MODES })
      .annotations.publish(serial, { type: 'reaction:distinct.v1', name: '🎉' });
    const summary = {
      'reaction:distinct.v1': { '🎉': { total: 1, clientIds: ['fan'], clipped: false } },
    };

    for (const c of clients.splice(0)) c.close();
    await closeAll();
    for (const node of NODES) nodes[node] = await start(node);

    const channel = rest('a', 'json').channels.get(name);
    const latest = await channel.getMessage(serial);
    expect([latest.action, latest.data, latest.version?.serial]).toEqual([
      'message.update',
      'v2',
      updated.versionSerial,
    ]);
    expect(latest.annotations?.summary).toEqual(summary);
    const history = await channel.history();
    expect(history.items.map((m) => [m.serial, m.data, m.annotations?.summary])).toEqual([
      [serial, 'v2', summary],
    ]);
    const listed = await rest('b', 'msgpack').channels.get(name).annotations.get(serial, {});
    expect(listed.items.map((a) => [a.name, a.clientId])).toEqual([['🎉', 'fan']]);
  }, 120_000);
});
