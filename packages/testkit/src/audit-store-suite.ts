import type {
  ChannelRecord,
  ConnectionStatsRecord,
  EventRecord,
  PageQuery,
  StorePage,
} from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

function channel(name: string, at: number, active = true, appId = 'a'): ChannelRecord {
  const colon = name.indexOf(':');
  const type = colon < 0 ? name : name.slice(0, colon);
  return { appId, name, type, firstActivityAt: at, lastActivityAt: at, active };
}

function event(serial: string, timestamp: number, extra: Partial<EventRecord> = {}): EventRecord {
  return {
    appId: 'a',
    channel: 'room',
    name: 'greeting',
    serial,
    dataBytes: 5,
    clientId: 'alice',
    connectionId: 'conn1',
    source: 'realtime',
    timestamp,
    ...extra,
  };
}

function connection(id: string, connectedAt: number, ended?: number): ConnectionStatsRecord {
  return {
    connectionId: id,
    appId: 'a',
    clientId: 'alice',
    transport: 'websocket',
    format: 'msgpack',
    connectedAt,
    lastActivityAt: connectedAt,
    messagesIn: 0,
    messagesOut: 0,
    ...(ended === undefined
      ? {}
      : { disconnectedAt: ended, lastActivityAt: ended, disconnectReason: 'closed by client' }),
  };
}

/** Follows `next` cursors to the end, checking every page keeps to its limit. */
async function allPages<T>(
  fetch: (page: PageQuery) => Promise<StorePage<T>>,
  limit: number,
  backwards = false,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await fetch({ limit, backwards, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    rows.push(...page.items);
    if (page.next === undefined) return rows;
    cursor = page.next;
  }
  throw new Error('paging did not end');
}

/** Deletes with `prune(limit)` until it returns less than `limit`; returns each call's count. */
async function pruneCounts(prune: (limit: number) => Promise<number>, limit: number) {
  const counts: number[] = [];
  for (;;) {
    const n = await prune(limit);
    counts.push(n);
    if (n < limit) return counts;
  }
}

/** The operational tables' conformance cases (called inside runStoreSuite's describe). */
export function auditStoreCases(factory: StoreFactory): void {
  it('channel registry: upserts keeping the first activity, lists by name with prefix and active filter, pages both ways', async () => {
    const store = await factory.open();
    await store.saveChannels([
      channel('session:2', 20),
      channel('project:b', 10, false),
      channel('project:a', 30),
      channel('lobby', 40),
    ]);
    await store.saveChannels([channel('project:c', 50), channel('other', 1, true, 'b')]);
    // A later write keeps the earlier first activity and takes the new state.
    await store.saveChannels([{ ...channel('project:a', 60, false), firstActivityAt: 60 }]);
    const all = await store.listChannels({ appId: 'a', limit: 10 });
    expect(all.items.map((c) => c.name)).toEqual([
      'lobby',
      'project:a',
      'project:b',
      'project:c',
      'session:2',
    ]);
    expect(all.next).toBeUndefined();
    expect(all.items[1]).toEqual({ ...channel('project:a', 60, false), firstActivityAt: 30 });
    expect(all.items[0]!.type).toBe('lobby');
    const projects = await store.listChannels({ appId: 'a', prefix: 'project:', limit: 10 });
    expect(projects.items.map((c) => c.name)).toEqual(['project:a', 'project:b', 'project:c']);
    const active = await store.listChannels({ appId: 'a', activeOnly: true, limit: 10 });
    expect(active.items.map((c) => c.name)).toEqual(['lobby', 'project:c', 'session:2']);
    const names = (rows: ChannelRecord[]) => rows.map((c) => c.name);
    const forwards = await allPages((p) => store.listChannels({ appId: 'a', ...p }), 2);
    expect(names(forwards)).toEqual(names(all.items));
    const backwards = await allPages((p) => store.listChannels({ appId: 'a', ...p }), 2, true);
    expect(names(backwards)).toEqual(names(all.items).reverse());
    await store.close();
  });

  it('channel registry: deactivates all at start, prunes only inactive channels idle long enough, in batches', async () => {
    const store = await factory.open();
    await store.saveChannels([
      channel('old:1', 10, false),
      channel('old:2', 20, false),
      channel('old:3', 30, false),
      channel('busy', 5, true),
      channel('recent', 500, false),
    ]);
    expect(await pruneCounts((n) => store.pruneChannels(100, n), 2)).toEqual([2, 1]);
    const left = await store.listChannels({ appId: 'a', limit: 10 });
    expect(left.items.map((c) => c.name)).toEqual(['busy', 'recent']);
    expect(await store.deactivateChannels()).toBe(1);
    expect((await store.listChannels({ appId: 'a', activeOnly: true, limit: 10 })).items).toEqual(
      [],
    );
    await store.close();
  });

  it('events log: keeps arrival order within a timestamp, filters by channel and time, pages both ways', async () => {
    const store = await factory.open();
    const rows = [
      event('s1', 100),
      event('s2', 100, { channel: 'other', source: 'rest' }),
      event('s3', 100, { source: 'batch', name: undefined, clientId: undefined }),
      event('s4', 200, { dataBytes: 0 }),
      event('s5', 300, { appId: 'b' }),
    ];
    await store.appendEvents(rows.slice(0, 2));
    await store.appendEvents(rows.slice(2));
    const serials = (list: EventRecord[]) => list.map((e) => e.serial);
    const forwards = await allPages((p) => store.listEvents({ appId: 'a', ...p }), 2);
    expect(serials(forwards)).toEqual(['s1', 's2', 's3', 's4']);
    expect(forwards[2]).toEqual({
      ...event('s3', 100, { source: 'batch' }),
      name: undefined,
      clientId: undefined,
    });
    const backwards = await allPages((p) => store.listEvents({ appId: 'a', ...p }), 3, true);
    expect(serials(backwards)).toEqual(['s4', 's3', 's2', 's1']);
    const room = await store.listEvents({ appId: 'a', channel: 'room', limit: 10 });
    expect(serials(room.items)).toEqual(['s1', 's3', 's4']);
    const window = await store.listEvents({ appId: 'a', since: 100, until: 200, limit: 10 });
    expect(serials(window.items)).toEqual(['s1', 's2', 's3']);
    const first = await store.listEvents({ appId: 'a', limit: 1, backwards: true });
    expect(serials(first.items)).toEqual(['s4']);
    expect(first.next).toBeTypeOf('string');
    await store.close();
  });

  it('events log: prunes rows older than the cutoff in batches', async () => {
    const store = await factory.open();
    await store.appendEvents(Array.from({ length: 7 }, (_, i) => event(`s${i}`, i * 10)));
    expect(await pruneCounts((n) => store.pruneEvents(50, n), 2)).toEqual([2, 2, 1]);
    const left = await store.listEvents({ appId: 'a', limit: 10 });
    expect(left.items.map((e) => e.serial)).toEqual(['s5', 's6']);
    await store.close();
  });

  it('connection stats: upserts by id, lists by connect time (open only on request), pages both ways, prunes ended rows in batches', async () => {
    const store = await factory.open();
    await store.saveConnectionStats([connection('c2', 200), connection('c1', 100)]);
    await store.saveConnectionStats([connection('c3', 200), connection('c0', 50, 60)]);
    const finished = { ...connection('c1', 100, 150), messagesIn: 3, messagesOut: 7 };
    await store.saveConnectionStats([finished]);
    const ids = (list: ConnectionStatsRecord[]) => list.map((c) => c.connectionId);
    const forwards = await allPages((p) => store.listConnectionStats({ appId: 'a', ...p }), 3);
    expect(ids(forwards)).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(forwards[1]).toEqual(finished);
    expect(forwards[2]).not.toHaveProperty('disconnectedAt');
    const backwards = await allPages(
      (p) => store.listConnectionStats({ appId: 'a', ...p }),
      1,
      true,
    );
    expect(ids(backwards)).toEqual(['c3', 'c2', 'c1', 'c0']);
    const open = await store.listConnectionStats({ appId: 'a', openOnly: true, limit: 10 });
    expect(ids(open.items)).toEqual(['c2', 'c3']);
    const since = await store.listConnectionStats({ appId: 'a', since: 100, until: 200, limit: 9 });
    expect(ids(since.items)).toEqual(['c1']);
    // Ended before 175: c0 (60) and c1 (150); c2 and c3 are open, last active at 200.
    expect(await pruneCounts((n) => store.pruneConnectionStats(175, n), 1)).toEqual([1, 1, 0]);
    expect(ids((await store.listConnectionStats({ appId: 'a', limit: 10 })).items)).toEqual([
      'c2',
      'c3',
    ]);
    await store.close();
  });

  it('stats minutes: upsert replaces the running totals, lists by app and time both ways, prunes in batches', async () => {
    const store = await factory.open();
    const m = (appId: string, minute: number, count: number) => ({
      appId,
      minute,
      entries: { 'messages.all.all.count': count },
    });
    await store.saveStatsMinutes([m('a', 60_000, 1), m('a', 120_000, 2), m('b', 60_000, 5)]);
    await store.saveStatsMinutes([m('a', 120_000, 4)]);
    expect(await store.listStatsMinutes({ appId: 'a' })).toEqual([
      m('a', 60_000, 1),
      m('a', 120_000, 4),
    ]);
    expect(await store.listStatsMinutes({ since: 60_000, until: 120_000 })).toEqual([
      m('a', 60_000, 1),
      m('b', 60_000, 5),
    ]);
    expect(await store.listStatsMinutes({ appId: 'a', backwards: true, limit: 1 })).toEqual([
      m('a', 120_000, 4),
    ]);
    expect(await pruneCounts((n) => store.pruneStatsMinutes(100_000, n), 1)).toEqual([1, 1, 0]);
    expect(await store.listStatsMinutes({})).toEqual([m('a', 120_000, 4)]);
    await store.close();
  });

  it('pages stay ordered and complete while another reader reads as a writer appends', async () => {
    const store = await factory.open();
    // A durable store is read through a second connection to the same data, as the CLI would.
    const reader = factory.reopen ? await factory.reopen() : store;
    const batches = 20;
    const writer = (async () => {
      for (let b = 0; b < batches; b++) {
        await store.appendEvents(
          Array.from({ length: 50 }, (_, i) => event(`s${b * 50 + i}`, 1000 + b)),
        );
        await store.saveChannels([channel(`room:${b}`, b)]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    let reads = 0;
    let seen = 0;
    const readers = Array.from({ length: 3 }, async () => {
      while (seen < batches * 50) {
        const rows = await allPages((p) => reader.listEvents({ appId: 'a', ...p }), 97);
        // Every read is a prefix of the final order: whole batches, no gaps, no repeats.
        expect(rows.map((e) => e.serial)).toEqual(rows.map((_, i) => `s${i}`));
        expect(rows.length % 50).toBe(0);
        seen = Math.max(seen, rows.length);
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    await Promise.all([writer, ...readers]);
    expect(reads).toBeGreaterThan(3);
    const channels = await allPages((p) => reader.listChannels({ appId: 'a', ...p }), 7);
    expect(channels).toHaveLength(batches);
    if (reader !== store) await reader.close();
    await store.close();
  });

  it.skipIf(!factory.reopen)(
    'keeps the channel registry, events log, connection stats and stats minutes across a restart (durable stores only)',
    async () => {
      const store = await factory.open();
      await store.saveChannels([channel('project:x', 10)]);
      await store.appendEvents([event('s1', 100)]);
      await store.saveConnectionStats([connection('c1', 100, 200)]);
      await store.saveStatsMinutes([{ appId: 'a', minute: 60_000, entries: { x: 1 } }]);
      await store.close();
      const again = await factory.reopen!();
      expect((await again.listChannels({ appId: 'a', limit: 5 })).items).toEqual([
        channel('project:x', 10),
      ]);
      expect((await again.listEvents({ appId: 'a', limit: 5 })).items).toEqual([event('s1', 100)]);
      expect((await again.listConnectionStats({ appId: 'a', limit: 5 })).items).toEqual([
        connection('c1', 100, 200),
      ]);
      expect(await again.listStatsMinutes({})).toEqual([
        { appId: 'a', minute: 60_000, entries: { x: 1 } },
      ]);
      await again.close();
    },
  );
}
