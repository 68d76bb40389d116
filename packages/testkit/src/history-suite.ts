import type { HistoryEntryRecord, HistoryQuery, Store } from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

const base = { appId: 'a', channel: 'persisted:room', kind: 'message' } as const;

/** An entry of `count` messages at `seq`, serials `<e>.<seq>:<i>` as the engine makes them. */
function entry(seq: number, count = 1, timestamp = 1000 + seq): HistoryEntryRecord {
  return {
    ...base,
    seq,
    timestamp,
    items: Array.from({ length: count }, (_, i) => ({
      id: `m${seq}-${i}`,
      name: 'event',
      data: `${seq}.${i}`,
      clientId: 'writer',
      connectionId: 'conn',
      timestamp,
      serial: `e.${seq}:${i}`,
      action: 0,
    })),
  };
}

const read = (store: Store, q: Partial<HistoryQuery> = {}) =>
  store.readHistory({ ...base, backwards: false, limit: 100, asSent: false, ...q });
const dataOf = async (store: Store, q: Partial<HistoryQuery> = {}) =>
  (await read(store, q)).map((r) => r.item.data);

/** The history cases of the Store conformance suite. */
export function runHistoryCases(factory: StoreFactory): void {
  it('RSL2: stores entries in order and pages both directions from a position', async () => {
    const store = await factory.open();
    await store.appendHistory({
      entries: [entry(1, 2), entry(2), entry(3, 3)],
      latest: [],
      states: [],
    });
    expect(await dataOf(store)).toEqual(['1.0', '1.1', '2.0', '3.0', '3.1', '3.2']);
    expect(await dataOf(store, { backwards: true, limit: 4 })).toEqual([
      '3.2',
      '3.1',
      '3.0',
      '2.0',
    ]);
    expect(await dataOf(store, { from: { seq: 3, index: 1 }, limit: 2 })).toEqual(['3.1', '3.2']);
    expect(await dataOf(store, { from: { seq: 1, index: 1 }, backwards: true })).toEqual([
      '1.1',
      '1.0',
    ]);
    expect(await dataOf(store, { afterSeq: 2 })).toEqual(['3.0', '3.1', '3.2']);
    expect(await dataOf(store, { untilSeq: 1 })).toEqual(['1.0', '1.1']);
    expect(await dataOf(store, { start: 1002, end: 1002 })).toEqual(['2.0']);
    const [first] = await read(store);
    expect(first).toMatchObject({ seq: 1, index: 0, timestamp: 1001 });
    expect(first!.item).toMatchObject({
      id: 'm1-0',
      name: 'event',
      clientId: 'writer',
      serial: 'e.1:0',
    });
    await store.close();
  });

  it('keeps messages and presence apart, binary as bytes and extras as objects', async () => {
    const store = await factory.open();
    const bytes = Buffer.from([0, 1, 2, 255]);
    await store.appendHistory({
      entries: [
        {
          ...base,
          seq: 1,
          timestamp: 5,
          items: [{ data: bytes, extras: { headers: { a: 'b' } } }],
        },
        { ...base, kind: 'presence', seq: 2, timestamp: 6, items: [{ action: 2, clientId: 'p' }] },
      ],
      latest: [],
      states: [],
    });
    const [message] = await read(store);
    expect(Buffer.from(message!.item.data as Uint8Array)).toEqual(bytes);
    expect(message!.item.extras).toEqual({ headers: { a: 'b' } });
    const presence = await read(store, { kind: 'presence' });
    expect(presence.map((r) => [r.seq, r.item.clientId, r.item.action])).toEqual([[2, 'p', 2]]);
    await store.close();
  });

  it('RSL11: history shows the latest version and leaves operations out; a replay sees them', async () => {
    const store = await factory.open();
    await store.appendHistory({ entries: [entry(1)], latest: [], states: [] });
    const update = {
      ...base,
      seq: 2,
      timestamp: 1002,
      items: [{ data: 'edited', serial: 'e.1:0', action: 1, version: { serial: 'e.2:0' } }],
    };
    const latest = { ...entry(1).items[0]!, data: Buffer.from('edited'), action: 1 };
    await store.appendHistory({
      entries: [update],
      latest: [{ appId: 'a', channel: base.channel, seq: 1, index: 0, message: latest }],
      states: [],
    });
    const history = await read(store);
    expect(history.map((r) => [r.seq, r.item.action])).toEqual([[1, 1]]);
    expect(Buffer.from(history[0]!.item.data as Uint8Array).toString()).toBe('edited');
    expect(await dataOf(store, { asSent: true })).toEqual(['1.0', 'edited']);
    await store.close();
  });

  it('RSL11: a latest version older than the stored one does not replace it (cluster nodes commit in either order)', async () => {
    const store = await factory.open();
    await store.appendHistory({ entries: [entry(1)], latest: [], states: [] });
    const version = (seq: number) => ({
      ...entry(1).items[0]!,
      data: `v${seq}`,
      action: 1,
      version: { serial: `e.${seq.toString(36).padStart(9, '0')}:0` },
    });
    const latest = (seq: number) => ({
      entries: [],
      latest: [{ appId: 'a', channel: base.channel, seq: 1, index: 0, message: version(seq) }],
      states: [],
    });
    await store.appendHistory(latest(11));
    await store.appendHistory(latest(3));
    expect(await dataOf(store)).toEqual(['v11']);
    await store.appendHistory(latest(12));
    expect(await dataOf(store)).toEqual(['v12']);
    await store.close();
  });

  it('RSL1k: lists the ids of messages stored since a time, for idempotency after a restart', async () => {
    const store = await factory.open();
    await store.appendHistory({
      entries: [
        entry(1),
        entry(2, 2),
        { ...base, kind: 'presence', seq: 3, timestamp: 1003, items: [{ action: 2, id: 'p' }] },
      ],
      latest: [],
      states: [],
    });
    const ids = await store.recentMessageIds(1002);
    expect(ids.map((r) => r.id).sort()).toEqual(['m2-0', 'm2-1']);
    expect(ids[0]).toMatchObject({ appId: 'a', channel: base.channel, timestamp: 1002 });
    await store.close();
  });

  it('keeps each channel at its highest serial state', async () => {
    const store = await factory.open();
    const state = (lastSeq: number) => ({ appId: 'a', channel: 'c', epoch: 'ep', lastSeq });
    await store.appendHistory({ entries: [], latest: [], states: [state(5)] });
    await store.appendHistory({ entries: [], latest: [], states: [state(9)] });
    expect(await store.listChannelStates()).toEqual([state(9)]);
    await store.close();
  });

  it('prunes items older than the retention in batches', async () => {
    const store = await factory.open();
    await store.appendHistory({
      entries: Array.from({ length: 10 }, (_, i) => entry(i + 1)),
      latest: [],
      states: [],
    });
    expect(await store.pruneHistory(1006, 3)).toBe(3);
    expect(await store.pruneHistory(1006, 100)).toBe(2);
    expect(await dataOf(store)).toEqual(['6.0', '7.0', '8.0', '9.0', '10.0']);
    await store.close();
  });

  it('serves readers while commits go on', async () => {
    const store = await factory.open();
    const writes = Array.from({ length: 50 }, (_, i) =>
      store.appendHistory({ entries: [entry(i + 1)], latest: [], states: [] }),
    );
    const reads = Array.from({ length: 50 }, () => read(store, { limit: 1000 }));
    await Promise.all(writes);
    for (const page of await Promise.all(reads)) {
      // Every read sees a prefix of the log, never a gap.
      expect(page.map((r) => r.seq)).toEqual(page.map((_, i) => i + 1));
    }
    expect((await read(store, { limit: 1000 })).length).toBe(50);
    await store.close();
  });

  it.skipIf(!factory.reopen)(
    'keeps history and serial state across a restart (durable stores only)',
    async () => {
      const store = await factory.open();
      await store.appendHistory({
        entries: [entry(1), entry(2)],
        latest: [],
        states: [{ appId: 'a', channel: base.channel, epoch: 'ep', lastSeq: 2 }],
      });
      await store.close();
      const again = await factory.reopen!();
      expect(await dataOf(again)).toEqual(['1.0', '2.0']);
      expect(await again.listChannelStates()).toEqual([
        { appId: 'a', channel: base.channel, epoch: 'ep', lastSeq: 2 },
      ]);
      await again.close();
    },
  );
}
