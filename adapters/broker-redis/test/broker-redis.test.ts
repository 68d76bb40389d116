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
