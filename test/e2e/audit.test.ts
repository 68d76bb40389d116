import { startTestServer, type TestServer } from '@switchboard/testkit';
import type { ConnectionStatsRecord, EventRecord } from '@switchboard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ sqlite: true });
});
afterAll(async () => {
  await server?.close();
});

const engine = () => server.switchboard.engine;

/** Polls until `check` passes (write-behind rows land within a flush period). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sessionRow = (connectionId: string) =>
  eventually(
    async () =>
      (await engine().audit.connections({ appId: server.appId, limit: 1000 })).items.find(
        (c) => c.connectionId === connectionId,
      ),
    (row) => row?.disconnectedAt !== undefined,
  );

describe.each(FORMATS)('audit trail over %s', (format) => {
  it('writes one events-log row per realtime, REST and batch message, with source, serial, size and identity, and a connection-stats row', async () => {
    const channel = `session:audit-${format}`;
    const rt = new Ably.Realtime(realtimeOptions(server, format, { clientId: `rt-${format}` }));
    const got = collect<Ably.Message>();
    await rt.channels.get(channel).subscribe((m) => got.push(m));
    const rest = new Ably.Rest(realtimeOptions(server, format, { clientId: `rest-${format}` }));
    await rt.channels.get(channel).publish('greeting', 'hello');
    await rt.channels.get(channel).publish('accent', 'héllo');
    await rest.channels.get(channel).publish('single', 'xyz');
    await rest.batchPublish([
      {
        channels: [channel, `other:audit-${format}`],
        messages: [{ name: 'batched', data: '1234' }],
      },
    ]);
    const received = await got.until(4);
    const connectionId = rt.connection.id!;
    rt.close();
    await connectionState(rt, 'closed');

    const { items } = await engine().audit.events({ appId: server.appId, channel, limit: 100 });
    const bySerial = new Map(items.map((e) => [e.serial, e]));
    expect(items).toHaveLength(4);
    const expected: Record<string, Pick<EventRecord, 'source' | 'dataBytes'>> = {
      greeting: { source: 'realtime', dataBytes: 5 },
      accent: { source: 'realtime', dataBytes: 6 },
      single: { source: 'rest', dataBytes: 3 },
      batched: { source: 'batch', dataBytes: 4 },
    };
    for (const m of received) {
      expect(m.serial).toBeTypeOf('string');
      expect(bySerial.get(m.serial!)).toEqual({
        appId: server.appId,
        channel,
        name: m.name,
        serial: m.serial,
        clientId: m.clientId,
        connectionId: m.connectionId,
        timestamp: m.timestamp,
        ...expected[m.name!],
      });
    }
    expect(bySerial.get(received[0]!.serial!)!.connectionId).toBe(connectionId);
    // Rows come back oldest first by default, newest first backwards.
    expect(items.map((e) => e.name)).toEqual(['greeting', 'accent', 'single', 'batched']);
    const newest = await engine().audit.events({
      appId: server.appId,
      channel,
      limit: 1,
      backwards: true,
    });
    expect(newest.items[0]!.name).toBe('batched');

    const row = (await sessionRow(connectionId)) as ConnectionStatsRecord;
    expect(row).toMatchObject({
      appId: server.appId,
      clientId: `rt-${format}`,
      transport: 'websocket',
      format,
      messagesIn: 2,
      messagesOut: 4,
      disconnectReason: 'closed by client',
    });
    expect(row.disconnectedAt).toBeGreaterThanOrEqual(row.connectedAt);
    expect(row.lastActivityAt).toBeGreaterThanOrEqual(row.connectedAt);
  });
});

describe('channel registry and restart', () => {
  it('GET /channels lists active channels by prefix with Link paging, ChannelDetails by value; the registry records type and activity', async () => {
    const rt = new Ably.Realtime(realtimeOptions(server, 'json'));
    for (const name of ['project:p1', 'project:p2', 'project:p3', 'organization:o1'])
      await rt.channels.get(name).attach();
    const rest = new Ably.Rest(realtimeOptions(server, 'json'));
    const first = await rest.request('get', '/channels', 3, { prefix: 'project:', limit: '2' });
    expect(first.items).toEqual(['project:p1', 'project:p2']);
    expect(first.hasNext()).toBe(true);
    const second = await first.next();
    expect(second!.items).toEqual(['project:p3']);
    expect(second!.hasNext()).toBe(false);
    const details = await rest.request('get', '/channels', 3, {
      prefix: 'organization:',
      by: 'value',
    });
    expect(details.items).toEqual([
      {
        channelId: 'organization:o1',
        name: 'organization:o1',
        status: expect.objectContaining({ isActive: true }) as unknown,
      },
    ]);
    const registry = await engine().audit.channels({
      appId: server.appId,
      prefix: 'project:',
      limit: 10,
    });
    expect(registry.items.map((c) => [c.name, c.type, c.active])).toEqual([
      ['project:p1', 'project', true],
      ['project:p2', 'project', true],
      ['project:p3', 'project', true],
    ]);
    rt.close();
    await connectionState(rt, 'closed');
  });

  it('after restart(): GET /stats still shows the earlier minute, the audit rows and inactive channels are still there', async () => {
    const rest = new Ably.Rest(realtimeOptions(server, 'json'));
    await rest.channels.get('project:p1').publish('before-restart', 'x');
    const before = (await rest.stats({ unit: 'minute', direction: 'backwards' })).items;
    const events = await engine().audit.events({ appId: server.appId, limit: 1000 });
    const connections = await engine().audit.connections({ appId: server.appId, limit: 1000 });

    await server.restart();

    const again = new Ably.Rest(realtimeOptions(server, 'json'));
    const after = (await again.stats({ unit: 'minute', direction: 'backwards' })).items;
    const minute = before[0]!;
    const sameMinute = after.find((s) => s.intervalId === minute.intervalId);
    expect(sameMinute?.entries['messages.inbound.all.messages.count']).toBe(
      minute.entries['messages.inbound.all.messages.count'],
    );
    expect(minute.entries['messages.inbound.all.messages.count']).toBeGreaterThanOrEqual(1);
    expect(await engine().audit.events({ appId: server.appId, limit: 1000 })).toEqual(events);
    expect(await engine().audit.connections({ appId: server.appId, limit: 1000 })).toEqual(
      connections,
    );
    // Nothing is live after a restart; the registry still knows the channels, as inactive.
    const active = await again.request('get', '/channels', 3, { prefix: 'project:' });
    expect(active.items).toEqual([]);
    const all = await again.request('get', '/channels', 3, {
      prefix: 'project:',
      include: 'inactive',
    });
    expect(all.items).toEqual(['project:p1', 'project:p2', 'project:p3']);
  });
});
