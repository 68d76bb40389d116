import { createRedisBroker } from '@switchboard/broker-redis';
import { redisTestPrefix, runBrokerSuite } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';

// One key prefix for this file; each case's cluster gets a fresh prefix under it.
const redis = await redisTestPrefix('broker-redis conformance');
afterAll(() => redis?.drop());

const title = redis ? 'Redis broker' : 'Redis broker (skipped: Redis unreachable)';

describe.skipIf(!redis)(title, () => {
  runBrokerSuite('Redis', {
    cluster: async (settings) => {
      const prefix = redis!.child();
      return {
        connect: (nodeId) => createRedisBroker({ ...settings, url: redis!.url, prefix, nodeId }),
        close: async () => {},
      };
    },
  });
});

describe.skipIf(!redis)('Redis broker: connection records and revocations', () => {
  const settings = { windowMax: 100, idempotencyWindowMs: 60_000 };
  const pair = async () => {
    const prefix = redis!.child();
    const a = await createRedisBroker({ ...settings, url: redis!.url, prefix, nodeId: 'a' });
    const b = await createRedisBroker({ ...settings, url: redis!.url, prefix, nodeId: 'b' });
    return { a, b, close: () => Promise.all([a.close(), b.close()]) };
  };

  it('a record written by one node is read by another, replaced, removed, and expires', async () => {
    const { a, b, close } = await pair();
    const record = { id: 'conn1', keyHashes: ['h1'], appId: 'app', clientId: 'c', nodeId: 'a' };
    await a.sessions!.save([record], 60_000);
    expect(await b.sessions!.load('conn1')).toEqual(record);
    await a.sessions!.save([{ ...record, keyHashes: ['h2'] }], 60_000);
    expect((await b.sessions!.load('conn1'))?.keyHashes).toEqual(['h2']);
    await b.sessions!.remove('conn1');
    expect(await a.sessions!.load('conn1')).toBeUndefined();
    await a.sessions!.save([{ ...record, id: 'short' }], 50);
    await expect.poll(() => b.sessions!.load('short'), { timeout: 2000 }).toBeUndefined();
    await close();
  });

  it('a node restarted under the same id removes the members its previous run left', async () => {
    // Found by the cluster chaos run: a crashed node back under its stable id kept its lease
    // fresh, so nobody reaped the members of the connections it had lost, and they stayed.
    const prefix = redis!.child();
    const connect = (nodeId: string) =>
      createRedisBroker({ ...settings, url: redis!.url, prefix, nodeId });
    const a = await connect('a');
    const crashed = await connect('b');
    const channel = { appId: 'app', name: 'room' };
    const got: number[] = [];
    await a.listen(
      channel,
      (e) => void got.push(...e.items.map((m) => (m as { action: number }).action)),
    );
    await crashed.append(channel, {
      kind: 'presence',
      timestamp: Date.now(),
      pmId: 'b1:0',
      connectionId: 'b1',
      items: [{ action: 2, clientId: 'ghost', connectionId: 'b1', id: 'b1:0:0', timestamp: 1 }],
    });
    // QUIT, not a reap: what a SIGKILL leaves behind in Redis.
    await crashed.close();
    expect((await a.members(channel)).map((m) => m.clientId)).toEqual(['ghost']);
    const restarted = await connect('b');
    expect(await a.members(channel)).toEqual([]);
    await expect.poll(() => got).toEqual([2, 3]);
    // The restarted node is reaped like any other when it dies in turn.
    expect(await a.reapDeadNodes(Date.now())).toBe(0);
    await Promise.all([a.close(), restarted.close()]);
  });

  it('a takeover reaches the other nodes, not the one that announced it', async () => {
    const { a, b, close } = await pair();
    const seenByA: string[] = [];
    a.sessions!.onTakenOver((id) => seenByA.push(id));
    const seenByB = new Promise<[string, string]>((resolve) =>
      b.sessions!.onTakenOver((id, byNode) => resolve([id, byNode])),
    );
    await a.sessions!.takeOver('conn2');
    expect(await seenByB).toEqual(['conn2', 'a']);
    expect(seenByA).toEqual([]);
    await close();
  });

  it('revocations are announced to the other nodes, merged, and listed while they matter', async () => {
    const { a, b, close } = await pair();
    const heard = new Promise((resolve) => b.revocations!.onAnnounced(resolve));
    const first = { keyName: 'app.k', clientId: 'x', issuedBefore: 1000, appliesAt: 5000 };
    await a.revocations!.announce(first);
    expect(await heard).toEqual(first);
    // The later issuedBefore and the earlier appliesAt win, as in the store.
    await b.revocations!.announce({ ...first, issuedBefore: 500, appliesAt: 2000 });
    await a.revocations!.announce({ ...first, clientId: 'old', issuedBefore: 10 });
    expect(await a.revocations!.list(100)).toEqual([{ ...first, appliesAt: 2000 }]);
    // What no longer matters was dropped by the listing.
    expect((await b.revocations!.list(0)).map((r) => r.clientId)).toEqual(['x']);
    await close();
  });
});
