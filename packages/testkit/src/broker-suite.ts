import type { Broker, BrokerChannel, BrokerEntry, BrokerSettings } from '@switchboard/server';
import { afterEach, describe, expect, it } from 'vitest';

/** One fresh shared backend (an empty key prefix, a new in-memory backend) nodes connect to. */
export interface BrokerCluster {
  connect(nodeId: string): Promise<Broker>;
  /** Removes what the cluster left in its backend. */
  close(): Promise<void>;
}

/** How a broker under test is made: each call gives an empty backend. */
export interface BrokerFactory {
  cluster(settings: BrokerSettings): Promise<BrokerCluster>;
}

/** Entries a node receives on a channel, with a promise for the n-th. */
interface Received {
  entries: BrokerEntry[];
  until(count: number, timeoutMs?: number): Promise<BrokerEntry[]>;
}

async function receive(broker: Broker, channel: BrokerChannel): Promise<Received> {
  const entries: BrokerEntry[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  await broker.listen(channel, (entry) => {
    entries.push(entry);
    for (const w of waiters) if (entries.length >= w.count) w.resolve();
  });
  return {
    entries,
    until(count, timeoutMs = 10_000) {
      if (entries.length >= count) return Promise.resolve(entries);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`received ${entries.length} of ${count} entries`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(entries);
          },
        });
      });
    },
  };
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const message = (name: string) => ({ name, data: name });
const presence = (action: number, clientId: string, connectionId: string) => ({
  action,
  clientId,
  connectionId,
  id: `${connectionId}:0:0`,
  timestamp: Date.now(),
});

/** The Broker port's conformance suite: every broker adapter runs it. */
export function runBrokerSuite(name: string, factory: BrokerFactory): void {
  describe(`Broker conformance: ${name}`, () => {
    const open: (Broker | BrokerCluster)[] = [];
    const cluster = async (settings: Partial<BrokerSettings> = {}) => {
      const c = await factory.cluster({ windowMax: 100, idempotencyWindowMs: 60_000, ...settings });
      open.push(c);
      const connect = async (nodeId: string) => {
        const broker = await c.connect(nodeId);
        open.push(broker);
        return broker;
      };
      return { connect };
    };
    afterEach(async () => {
      // Nodes first, then their backends.
      for (const x of open.splice(0).reverse()) await x.close();
    });

    const channel = { appId: 'app', name: 'room' };

    it('delivers one channel in sequence order, each entry once, to every listening node', async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const onA = await receive(a, channel);
      const onB = await receive(b, channel);
      const writes = Array.from({ length: 200 }, (_, i) =>
        b.append(channel, {
          kind: 'message',
          timestamp: Date.now(),
          pmId: `conn:${i}`,
          connectionId: 'conn',
          items: [message(`m${i}`)],
        }),
      );
      const results = await Promise.all(writes);
      expect(results.map((r) => r.seq)).toEqual(results.map((_, i) => i + 1));
      for (const got of [await onA.until(200), await onB.until(200)]) {
        expect(got.map((e) => e.seq)).toEqual(results.map((_, i) => i + 1));
        expect(got.map((e) => (e.items[0] as { name: string }).name)).toEqual(
          results.map((_, i) => `m${i}`),
        );
        expect(got.every((e) => e.nodeId === 'b' && e.connectionId === 'conn')).toBe(true);
      }
    });

    it('assigns one serial sequence per channel across nodes, messages and presence alike', async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const onA = await receive(a, channel);
      const writes = Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? a : b).append(channel, {
          kind: i % 10 === 0 ? 'presence' : 'message',
          timestamp: Date.now(),
          pmId: `p:${i}`,
          items: [i % 10 === 0 ? presence(2, `c${i}`, 'x') : message(`m${i}`)],
        }),
      );
      const seqs = (await Promise.all(writes)).map((r) => r.seq!);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs.map((_, i) => i + 1));
      expect((await onA.until(100)).map((e) => e.seq)).toEqual(seqs.map((_, i) => i + 1));
      expect(await b.head(channel)).toBe(100);
      // Another channel has its own sequence.
      const other = await a.append(
        { appId: 'app', name: 'other' },
        {
          kind: 'message',
          timestamp: Date.now(),
          pmId: 'o:0',
          items: [message('o')],
        },
      );
      expect(other.seq).toBe(1);
    });

    it('carries annotations and message operations in the same sequence, intact, to every node and in the log', async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const onA = await receive(a, channel);
      const first = await b.append(channel, {
        kind: 'message',
        timestamp: Date.now(),
        pmId: 'conn:0',
        connectionId: 'conn',
        items: [message('original')],
      });
      const serial = `x.${first.seq}:0`;
      const update = {
        name: 'original',
        data: new Uint8Array([1, 2, 3]),
        action: 1,
        serial,
        version: { clientId: 'editor', timestamp: 5 },
      };
      const annotation = {
        action: 0,
        type: 'reaction:distinct.v1',
        name: '👍',
        clientId: 'fan',
        messageSerial: serial,
        timestamp: 6,
      };
      const op = await a.append(channel, {
        kind: 'message',
        timestamp: Date.now(),
        pmId: 'conn2:0',
        connectionId: 'conn2',
        items: [update],
      });
      const noted = await b.append(channel, {
        kind: 'annotation',
        timestamp: Date.now(),
        pmId: 'conn3:0',
        connectionId: 'conn3',
        items: [annotation],
      });
      expect([first.seq, op.seq, noted.seq]).toEqual([1, 2, 3]);
      const logged = await a.since(channel, 0);
      for (const got of [await onA.until(3), logged!]) {
        expect(got.map((e) => e.kind)).toEqual(['message', 'message', 'annotation']);
        expect(got[1]!.items).toEqual([update]);
        expect(got[2]!.items).toEqual([annotation]);
        expect(got[2]!.nodeId).toBe('b');
      }
    });

    it('keeps the recent window and says when it no longer reaches back', async () => {
      const c = await cluster({ windowMax: 5 });
      const a = await c.connect('a');
      const b = await c.connect('b');
      expect(await a.head(channel)).toBe(0);
      expect(await a.since(channel, 0)).toEqual([]);
      for (let i = 1; i <= 8; i++)
        await a.append(channel, {
          kind: 'message',
          timestamp: Date.now(),
          pmId: `w:${i}`,
          items: [message(`w${i}`)],
        });
      expect(await b.head(channel)).toBe(8);
      expect((await b.since(channel, 3))?.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
      expect((await b.since(channel, 6))?.map((e) => e.seq)).toEqual([7, 8]);
      expect(await b.since(channel, 8)).toEqual([]);
      expect(await b.since(channel, 2)).toBeUndefined();
      expect(await b.since(channel, 0)).toBeUndefined();
      const [last] = (await b.since(channel, 7)) ?? [];
      expect(last?.items).toEqual([message('w8')]);
    });

    it('drops repeated client-supplied ids across nodes (RSL1k), keeping the rest', async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const onA = await receive(a, channel);
      const write = (ids: (string | undefined)[]) => ({
        kind: 'message' as const,
        timestamp: Date.now(),
        pmId: 'i:0',
        items: ids.map((id, i) => ({ ...message(`n${i}`), ...(id ? { id } : {}) })),
        ids,
      });
      expect(await a.append(channel, write(['x', undefined]))).toEqual({
        seq: 1,
        kept: [true, true],
      });
      expect(await b.append(channel, write(['x', 'y']))).toEqual({ seq: 2, kept: [false, true] });
      expect(await b.append(channel, write(['x', 'y']))).toEqual({
        seq: undefined,
        kept: [false, false],
      });
      const got = await onA.until(2);
      await a.append(channel, write([undefined]));
      await onA.until(3);
      expect(got.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(got[1]?.items.map((m) => m.id)).toEqual(['y']);
    });

    it('shares presence members across nodes and applies LEAVE', async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const onA = await receive(a, channel);
      await b.append(channel, {
        kind: 'presence',
        timestamp: Date.now(),
        pmId: 'b1:0',
        connectionId: 'b1',
        items: [presence(2, 'alice', 'b1'), presence(2, 'bob', 'b1')],
      });
      await a.append(channel, {
        kind: 'presence',
        timestamp: Date.now(),
        pmId: 'a1:0',
        connectionId: 'a1',
        items: [presence(2, 'carol', 'a1')],
      });
      const names = async (broker: Broker) =>
        (await broker.members(channel)).map((m) => `${m.clientId}@${m.connectionId}`).sort();
      expect(await names(a)).toEqual(['alice@b1', 'bob@b1', 'carol@a1']);
      expect((await a.members(channel)).every((m) => m.action === 1)).toBe(true);
      await b.append(channel, {
        kind: 'presence',
        timestamp: Date.now(),
        pmId: 'b1:1',
        connectionId: 'b1',
        items: [presence(3, 'bob', 'b1')],
      });
      expect(await names(b)).toEqual(['alice@b1', 'carol@a1']);
      const got = await onA.until(3);
      expect(got.map((e) => e.kind)).toEqual(['presence', 'presence', 'presence']);
    });

    it("removes a dead node's members once its lease runs out, and only those", async () => {
      const lease = { leaseMs: 600, renewMs: 150 };
      const c = await cluster({ lease });
      const a = await c.connect('a');
      const b = await c.connect('b');
      const onA = await receive(a, channel);
      for (const [broker, conn, client] of [
        [a, 'a1', 'alive'],
        [b, 'b1', 'doomed'],
      ] as const)
        await broker.append(channel, {
          kind: 'presence',
          timestamp: Date.now(),
          pmId: `${conn}:0`,
          connectionId: conn,
          items: [presence(2, client, conn)],
        });
      // A live node's lease is renewed: nothing is reaped while both run.
      await new Promise((r) => setTimeout(r, lease.leaseMs * 2));
      expect(await a.reapDeadNodes(Date.now())).toBe(0);
      open.splice(open.indexOf(b), 1);
      await b.close();
      const started = Date.now();
      const left = await eventually(
        async () => (await a.reapDeadNodes(Date.now())) > 0,
        (x) => x,
        lease.leaseMs * 10,
      );
      expect(left).toBe(true);
      expect(Date.now() - started).toBeLessThan(lease.leaseMs + lease.renewMs * 4 + 1000);
      expect((await a.members(channel)).map((m) => m.clientId)).toEqual(['alive']);
      const leave = (await onA.until(3))[2]!;
      expect(leave.kind).toBe('presence');
      expect(leave.items).toMatchObject([{ action: 3, clientId: 'doomed', connectionId: 'b1' }]);
      expect(await a.reapDeadNodes(Date.now())).toBe(0);
    });

    it("sums every node's stats counts per app-minute; peaks keep the maximum", async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const keep = { ttlMs: 60_000, maxMinutes: 3 };
      const minute = (n: number) => n * 60_000;
      // Concurrent adds from both nodes: none is lost.
      const adds = Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).stats!.add(
          [{ appId: 'app', minute: minute(1), entries: { 'in.count': 2, 'conn.peak': i } }],
          keep,
        ),
      );
      expect((await Promise.all(adds)).flat()).toEqual([]);
      await b.stats!.add(
        [
          { appId: 'app', minute: minute(2), entries: { 'in.data': 1.5 } },
          { appId: 'other', minute: minute(0), entries: { 'in.count': 7 } },
        ],
        keep,
      );
      expect(await a.stats!.minutesOf('app', -Infinity, Infinity)).toEqual([minute(1), minute(2)]);
      expect(await a.stats!.minutesOf('app', minute(2), minute(5))).toEqual([minute(2)]);
      expect(await a.stats!.read('app', [minute(1), minute(2), minute(3)])).toEqual([
        { appId: 'app', minute: minute(1), entries: { 'in.count': 80, 'conn.peak': 39 } },
        { appId: 'app', minute: minute(2), entries: { 'in.data': 1.5 } },
      ]);
      expect(await b.stats!.appsSince(minute(1))).toEqual(['app']);
      expect((await b.stats!.appsSince(minute(0))).sort()).toEqual(['app', 'other']);
      // An app keeps at most maxMinutes: the oldest go first.
      await a.stats!.add(
        [3, 4].map((n) => ({ appId: 'app', minute: minute(n), entries: { 'in.count': n } })),
        keep,
      );
      expect(await b.stats!.minutesOf('app', -Infinity, Infinity)).toEqual([
        minute(2),
        minute(3),
        minute(4),
      ]);
      expect(await b.stats!.read('app', [minute(1)])).toEqual([]);
    });

    it("holds a connection's inbound budget across nodes, in the publish's own step", async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const write = (connectionId: string, count: number, inboundLimit?: number) => ({
        kind: 'message' as const,
        timestamp: Date.now(),
        pmId: `${connectionId}:0`,
        connectionId,
        items: Array.from({ length: count }, (_, i) => message(`r${i}`)),
        ...(inboundLimit !== undefined ? { inboundLimit } : {}),
      });
      expect((await a.append(channel, write('c1', 3, 5))).seq).toBe(1);
      // The connection moved to b inside the same second: its budget came along.
      expect((await b.append(channel, write('c1', 2, 5))).seq).toBe(2);
      await expect(
        Promise.resolve().then(() => b.append(channel, write('c1', 1, 5))),
      ).rejects.toMatchObject({
        code: 42910,
      });
      // Refused before anything was assigned; other connections and uncounted writes go on.
      expect(await a.head(channel)).toBe(2);
      expect((await b.append(channel, write('c2', 5, 5))).seq).toBe(3);
      expect((await a.append(channel, write('c1', 1))).seq).toBe(4);
      // The window lasts a second: then the connection has its budget again.
      await expect
        .poll(
          () =>
            Promise.resolve()
              .then(() => a.append(channel, write('c1', 5, 5)))
              .then(
                (r) => r.seq,
                () => undefined,
              ),
          { timeout: 3000, interval: 100 },
        )
        .toBe(5);
    });

    it('stops delivering to a node that stops listening', async () => {
      const c = await cluster();
      const a = await c.connect('a');
      const b = await c.connect('b');
      const onA = await receive(a, channel);
      const onB = await receive(b, channel);
      const write = (n: number) =>
        a.append(channel, {
          kind: 'message',
          timestamp: Date.now(),
          pmId: `u:${n}`,
          items: [message(`u${n}`)],
        });
      await write(1);
      await onB.until(1);
      await b.unlisten(channel);
      await write(2);
      await onA.until(2);
      // A's second entry arrived, and B's connection is ordered the same way: nothing for B.
      await write(3);
      await onA.until(3);
      expect(onB.entries.map((e) => e.seq)).toEqual([1]);
    });
  });
}
