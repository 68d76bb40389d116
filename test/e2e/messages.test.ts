import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('publish and subscribe over %s', (format) => {
  const { server, track } = useServer();

  it('RSL1/RTL7: a REST publish reaches a realtime subscriber by event name', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get('meetwithoutfear:session:s1');
    const got = collect<Ably.Message>();
    await channel.subscribe('partner.stage_completed', (m) => got.push(m));
    const other = collect<Ably.Message>();
    await channel.subscribe('something.else', (m) => other.push(m));
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const completedAt = '2026-11-21T10:00:00Z';
    const result = await rest.channels
      .get('meetwithoutfear:session:s1')
      .publish('partner.stage_completed', { stage: 3, completedAt });
    expect(result.serials).toHaveLength(1);
    const [m] = await got.until(1);
    expect(m!.data).toEqual({ stage: 3, completedAt });
    expect(m!.name).toBe('partner.stage_completed');
    expect(other.items).toHaveLength(0);
  });

  it('RTL7b: array subscribe receives only those events, in publish order', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'agent' })));
    const channel = rt.channels.get('conversation:42');
    const got = collect<Ably.Message>();
    await channel.subscribe(['message:user', 'message:ai'], (m) => got.push(m));
    const names = [
      'message:user',
      'typing:start',
      'message:ai',
      'read',
      'message:user',
      'message:ai',
    ];
    for (const [i, name] of names.entries()) await channel.publish(name, { i });
    const items = await got.until(4);
    expect(items.map((m) => [m.name, (m.data as { i: number }).i])).toEqual([
      ['message:user', 0],
      ['message:ai', 2],
      ['message:user', 4],
      ['message:ai', 5],
    ]);
    expect(items[0]!.clientId).toBe('agent');
  });

  it('RTL6c5: publishing without attaching works', async () => {
    const sub = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const got = collect<Ably.Message>();
    await sub.channels.get('noattach').subscribe((m) => got.push(m));
    const pub = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = pub.channels.get('noattach');
    await channel.publish('hello', 'world');
    expect(channel.state).toBe('initialized');
    expect((await got.until(1))[0]!.data).toBe('world');
  });

  it('RSL1k/RTL6: the same message id published twice is delivered once', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get('idempotent');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    await channel.publish({ id: 'fixed-id-1', name: 'a', data: 'first' });
    await channel.publish({ id: 'fixed-id-1', name: 'a', data: 'second' });
    await channel.publish({ id: 'fixed-id-2', name: 'b', data: 'third' });
    await got.until(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.items.map((m) => m.data)).toEqual(['first', 'third']);
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    await rest.channels.get('idempotent').publish({ id: 'fixed-id-1', name: 'a', data: 'rest' });
    const history = await rest.channels.get('idempotent').history();
    expect(history.items.map((m) => m.data)).toEqual(['third', 'first']);
  });

  it('RTN2b: echoMessages:false does not deliver own messages but others still get them', async () => {
    const quiet = track(
      new Ably.Realtime(realtimeOptions(server(), format, { echoMessages: false })),
    );
    const listener = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const own = collect<Ably.Message>();
    const seen = collect<Ably.Message>();
    await quiet.channels.get('echo').subscribe((m) => own.push(m));
    await listener.channels.get('echo').subscribe((m) => seen.push(m));
    await quiet.channels.get('echo').publish('from-quiet', 'x');
    await listener.channels.get('echo').publish('from-listener', 'y');
    await seen.until(2);
    await own.until(1);
    expect(own.items.map((m) => m.name)).toEqual(['from-listener']);
  });

  it('RTL6g: publishing as another clientId on an identified connection is NACKed 40012', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'alice' })));
    await expect(
      rt.channels.get('ids').publish({ name: 'x', data: 'y', clientId: 'bob' }),
    ).rejects.toMatchObject({
      code: 40012,
    });
    expect(rt.connection.state).toBe('connected');
  });

  it('RSL4: binary payloads cross between msgpack and JSON clients', async () => {
    const other: 'json' | 'msgpack' = format === 'json' ? 'msgpack' : 'json';
    const sub = track(new Ably.Realtime(realtimeOptions(server(), other)));
    const got = collect<Ably.Message>();
    await sub.channels.get('binary').subscribe((m) => got.push(m));
    const pub = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await pub.channels.get('binary').publish('bytes', Buffer.from('deadbeef', 'hex'));
    const [m] = await got.until(1);
    expect(Buffer.from(m!.data as ArrayBuffer).toString('hex')).toBe('deadbeef');
  });

  it('RTL4: attaching a channel without capability fails 40160 while the connection stays up', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const token = await rest.auth.requestToken({ capability: { 'allowed:*': ['subscribe'] } });
    const rt = track(
      new Ably.Realtime({ ...server().clientOptions(format), token: token.token, logLevel: 0 }),
    );
    await connectionState(rt, 'connected');
    await expect(rt.channels.get('forbidden').attach()).rejects.toMatchObject({ code: 40160 });
    await rt.channels.get('allowed:1').attach();
    await expect(rt.channels.get('allowed:1').publish('x', 'y')).rejects.toMatchObject({
      code: 40160,
    });
    expect(rt.connection.state).toBe('connected');
  });

  it('RTL4c: an invalid channel name fails with 40010', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await expect(rt.channels.get('[bogus').attach()).rejects.toMatchObject({ code: 40010 });
    expect(rt.connection.state).toBe('connected');
  });

  it('RTL4l: publishing on a subscribe-only attach is refused', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get('modes', { modes: ['SUBSCRIBE'] });
    await channel.attach();
    expect(channel.modes).toEqual(['subscribe']);
    await expect(channel.publish('x', 'y')).rejects.toMatchObject({ code: 40160 });
  });
});

describe.each(FORMATS)('derived channels over %s', (format) => {
  const { server, track } = useServer();

  it('RTS5: a filtered channel receives only the messages its JMESPath filter admits', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const filtered = rt.channels.getDerived('orders', {
      filter: 'name == `"sla:warning"` && headers.priority > `2`',
    });
    const got = collect<Ably.Message>();
    await filtered.subscribe((m) => got.push(m));
    const all = collect<Ably.Message>();
    await rt.channels.get('orders').subscribe((m) => all.push(m));
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const channel = rest.channels.get('orders');
    await channel.publish({
      name: 'sla:warning',
      data: 'low',
      extras: { headers: { priority: 1 } },
    });
    await channel.publish({
      name: 'sla:warning',
      data: 'high',
      extras: { headers: { priority: 5 } },
    });
    await channel.publish({
      name: 'message:user',
      data: 'other',
      extras: { headers: { priority: 9 } },
    });
    await channel.publish({
      name: 'sla:warning',
      data: 'urgent',
      extras: { headers: { priority: 3 } },
    });
    await all.until(4);
    await got.until(2);
    expect(got.items.map((m) => m.data)).toEqual(['high', 'urgent']);
  });
});
