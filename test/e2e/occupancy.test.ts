import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

interface Metrics {
  connections: number;
  presenceMembers: number;
  presenceConnections: number;
  presenceSubscribers: number;
  publishers: number;
  subscribers: number;
}

/** Resolves with the first `[meta]occupancy` event whose metrics satisfy `test`. */
function occupancyWhere(
  channel: Ably.RealtimeChannel,
  test: (m: Metrics) => boolean,
  timeoutMs = 10_000,
): Promise<{ metrics: Metrics; message: Ably.InboundMessage }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching occupancy event')), timeoutMs);
    const listener = (message: Ably.InboundMessage): void => {
      const { metrics } = message.data as { metrics: Metrics };
      if (!test(metrics)) return;
      clearTimeout(timer);
      channel.unsubscribe('[meta]occupancy', listener);
      resolve({ metrics, message });
    };
    void channel.subscribe('[meta]occupancy', listener);
  });
}

describe.each(FORMATS)('occupancy over %s', (format) => {
  const { server, track } = useServer({
    limits: { occupancyEventIntervalMs: 100 },
    keys: [
      undefined,
      { 'watched:*': ['subscribe'], 'other:*': ['publish'] },
      { '[*]*': ['*'] },
      { '*': ['*'] },
      { 'watched:*': ['presence'], 'meta:*': ['presence', 'channel-metadata'] },
    ],
  });

  it('the occupancy param delivers [meta]occupancy events as members and subscribers come and go', async () => {
    const watcher = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = watcher.channels.get('watched:room', { params: { occupancy: 'metrics' } });
    const first = occupancyWhere(channel, (m) => m.connections === 1);
    await channel.attach();
    expect(channel.params).toMatchObject({ occupancy: 'metrics' });
    const { metrics, message } = await first;
    expect(message.name).toBe('[meta]occupancy');
    expect(message.action).toBe('meta');
    expect(metrics).toEqual({
      connections: 1,
      presenceConnections: 0,
      presenceMembers: 0,
      presenceSubscribers: 1,
      publishers: 1,
      subscribers: 1,
    });

    const other = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'bo' })));
    const joined = occupancyWhere(channel, (m) => m.connections === 2 && m.presenceMembers === 1);
    await other.channels.get('watched:room').presence.enter('hi');
    expect((await joined).metrics).toMatchObject({ presenceConnections: 1, subscribers: 2 });

    const left = occupancyWhere(channel, (m) => m.connections === 1 && m.presenceMembers === 0);
    other.close();
    await left;
  });

  it('occupancy: metrics.<category> carries only the figures asked for', async () => {
    const watcher = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = watcher.channels.get('watched:some', {
      params: { occupancy: 'metrics.presenceMembers,metrics.connections' },
    });
    const first = occupancyWhere(channel, (m) => m.connections === 1);
    await channel.attach();
    expect((await first).metrics).toEqual({ presenceMembers: 0, connections: 1 });
    const member = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'ed' })));
    const entered = occupancyWhere(channel, (m) => m.presenceMembers === 1);
    await member.channels.get('watched:some').presence.enter();
    expect((await entered).metrics).toEqual({ presenceMembers: 1, connections: 2 });
  });

  it('occupancy events need subscribe or channel-metadata: a presence-only key gets none', async () => {
    const key = server().keys[4]!.keyStr;
    const presenceOnly = track(new Ably.Realtime(realtimeOptions(server(), format, { key })));
    const blind = presenceOnly.channels.get('watched:blind', { params: { occupancy: 'metrics' } });
    const seen = collect<Ably.InboundMessage>();
    // Without the subscribe mode ably-js logs 90009 but keeps the listener.
    await blind.subscribe((m) => seen.push(m));
    const meta = presenceOnly.channels.get('meta:seeing', { params: { occupancy: 'metrics' } });
    const metaSeen = collect<Ably.InboundMessage>();
    await meta.subscribe((m) => metaSeen.push(m));
    expect((await metaSeen.until(1))[0]!.name).toBe('[meta]occupancy');
    expect(seen.items).toEqual([]);
  });

  it('without the param no occupancy event arrives', async () => {
    const plain = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const watcher = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const quiet = plain.channels.get('watched:quiet');
    const seen = collect<Ably.InboundMessage>();
    await quiet.subscribe((m) => seen.push(m));
    const loud = watcher.channels.get('watched:quiet', { params: { occupancy: 'metrics' } });
    await loud.attach();
    // The watcher's attach changed the figures; the plain subscriber hears only the publish.
    await occupancyWhere(loud, (m) => m.connections === 2);
    await quiet.publish('after', 'x');
    await seen.until(1);
    expect(seen.items.map((m) => m.name)).toEqual(['after']);
  });

  it('GET /channels/{ch} reports occupancy; a key without subscribe or channel-metadata gets 40160', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'cy' })));
    await rt.channels.get('watched:status').presence.enter();
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const status = await rest.channels.get('watched:status').status();
    expect(status.status.occupancy.metrics).toMatchObject({
      connections: 1,
      presenceMembers: 1,
      presenceConnections: 1,
    });
    const limited = new Ably.Rest(
      realtimeOptions(server(), format, { key: server().keys[1]!.keyStr }),
    );
    await expect(limited.channels.get('other:x').status()).rejects.toMatchObject({
      code: 40160,
      statusCode: 401,
    });
  });

  it('[meta]channel.lifecycle and [meta]connection.lifecycle carry opened and closed events', async () => {
    const metaKey = server().keys[2]!.keyStr;
    const operator = track(new Ably.Realtime(realtimeOptions(server(), format, { key: metaKey })));
    const channels = collect<Ably.InboundMessage>();
    const connections = collect<Ably.InboundMessage>();
    await operator.channels.get('[meta]channel.lifecycle').subscribe((m) => {
      if ((m.data as { channelId: string }).channelId === `watched:life-${format}`)
        channels.push(m);
    });
    // Other tests' clients may still be closing: only this test's client counts.
    await operator.channels.get('[meta]connection.lifecycle').subscribe((m) => {
      if ((m.data as { clientId?: string }).clientId === 'dee') connections.push(m);
    });

    const user = new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'dee' }));
    const channel = user.channels.get(`watched:life-${format}`);
    await channel.attach();
    await channel.detach();
    const events = await channels.until(2);
    expect(events.map((m) => [m.name, (m.data as { channelId: string }).channelId])).toEqual([
      ['channel.opened', `watched:life-${format}`],
      ['channel.closed', `watched:life-${format}`],
    ]);
    expect((events[0]!.data as { status: { isActive: boolean } }).status.isActive).toBe(true);
    const connectionId = user.connection.id;
    user.close();
    const conn = await connections.until(2);
    expect(conn.map((m) => [m.name, (m.data as { clientId?: string }).clientId])).toEqual([
      ['connection.opened', 'dee'],
      ['connection.closed', 'dee'],
    ]);
    expect((conn[0]!.data as { connectionId: string }).connectionId).toBe(connectionId);
  });

  it('metachannels need the [meta] qualifier in the capability, and nobody publishes there', async () => {
    const plain = track(
      new Ably.Realtime(realtimeOptions(server(), format, { key: server().keys[3]!.keyStr })),
    );
    await expect(plain.channels.get('[meta]channel.lifecycle').attach()).rejects.toMatchObject({
      code: 40160,
    });
    const meta = track(
      new Ably.Realtime(realtimeOptions(server(), format, { key: server().keys[2]!.keyStr })),
    );
    await expect(
      meta.channels.get('[meta]channel.lifecycle').publish('channel.opened', {}),
    ).rejects.toMatchObject({ code: 40160, statusCode: 401 });
  });
});
