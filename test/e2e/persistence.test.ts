import { startTcpProxy } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('persisted history across a restart over %s', (format) => {
  const { server, track } = useServer({
    sqlite: true,
    namespaces: [{ id: 'persisted', persisted: true }],
  });

  it('RSL2: history, paging and presence history survive a restart; serials keep growing', async () => {
    const channelName = `persisted:restart-${format}`;
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'writer' })));
    const channel = rt.channels.get(channelName);
    await channel.presence.enter('here');
    const before: string[] = [];
    for (let i = 0; i < 5; i++)
      before.push(...(await channel.publish('e', `m${i}`)).serials.map(String));
    await channel.presence.leave();
    rt.close();

    await server().restart();
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const restChannel = rest.channels.get(channelName);
    const first = await restChannel.history({ limit: 2, direction: 'forwards' });
    expect(first.items.map((m) => m.data)).toEqual(['m0', 'm1']);
    const second = await first.next();
    expect(second!.items.map((m) => m.data)).toEqual(['m2', 'm3']);
    const backwards = await restChannel.history();
    expect(backwards.items.map((m) => m.data)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
    expect(backwards.items.map((m) => m.serial)).toEqual([...before].reverse());
    const presence = await restChannel.presence.history({ direction: 'forwards' });
    expect(presence.items.map((p) => [p.action, p.clientId])).toEqual([
      ['enter', 'writer'],
      ['leave', 'writer'],
    ]);
    const { serials } = await restChannel.publish('e', 'after');
    expect(serials[0]! > before.at(-1)!).toBe(true);
  });

  it('RSL1k: a message id published before a restart is not published again after it', async () => {
    const channelName = `persisted:idempotent-${format}`;
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    await rest.channels.get(channelName).publish({ id: 'once', name: 'e', data: 'first' });
    await server().restart();
    const again = new Ably.Rest(realtimeOptions(server(), format));
    await again.channels.get(channelName).publish({ id: 'once', name: 'e', data: 'resent' });
    const history = await again.channels.get(channelName).history();
    expect(history.items.map((m) => m.data)).toEqual(['first']);
  });

  it('RTL4: rewind on a persisted channel reads the store after a restart', async () => {
    const channelName = `persisted:rewind-${format}`;
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    for (let i = 0; i < 5; i++) await rest.channels.get(channelName).publish('e', `r${i}`);
    await server().restart();
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const got = collect<string>();
    const channel = rt.channels.get(channelName, { params: { rewind: '3' } });
    await channel.subscribe((m) => got.push(m.data as string));
    expect(await got.until(3)).toEqual(['r2', 'r3', 'r4']);
    await new Ably.Rest(realtimeOptions(server(), format)).channels
      .get(channelName)
      .publish('e', 'live');
    expect(await got.until(4)).toEqual(['r2', 'r3', 'r4', 'live']);
  });

  it('RTL10b: untilAttach reads messages from before the restart, not after the attach', async () => {
    const channelName = `persisted:until-${format}`;
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    await rest.channels.get(channelName).publish('e', 'old');
    await server().restart();
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get(channelName);
    await channel.attach();
    await new Ably.Rest(realtimeOptions(server(), format)).channels
      .get(channelName)
      .publish('e', 'after-attach');
    const page = await channel.history({ untilAttach: true });
    expect(page.items.map((m) => m.data)).toEqual(['old']);
  });

  it('RTL15b: a subscriber connected through a restart gets what it missed from the store, exactly once', async () => {
    const channelName = `persisted:through-${format}`;
    const proxy = await startTcpProxy(server().port);
    const subscriber = track(
      // Retry soon after the restart rather than after the default 15 s.
      new Ably.Realtime({
        ...realtimeOptions(server(), format, { disconnectedRetryTimeout: 250 }),
        port: proxy.port,
      }),
    );
    const channel = subscriber.channels.get(channelName);
    const got = collect<string>();
    await channel.subscribe((m) => got.push(m.data as string));
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    for (let i = 0; i < 3; i++) await rest.channels.get(channelName).publish('e', `a${i}`);
    await got.until(3);
    // The server believes these were delivered, but they vanish on the way; the restart then
    // empties its memory, so only the store can give them back.
    proxy.blackhole();
    for (let i = 0; i < 3; i++) await rest.channels.get(channelName).publish('e', `b${i}`);

    await server().restart();
    await connectionState(subscriber, 'connected');
    await got.until(6, 15_000);
    const again = new Ably.Rest(realtimeOptions(server(), format));
    for (let i = 0; i < 2; i++) await again.channels.get(channelName).publish('e', `c${i}`);
    const items = await got.until(8);
    expect(items).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'c1']);
    await proxy.close();
  });
});

describe('channels that are not persisted', () => {
  const { server } = useServer({ sqlite: true });

  it('start a new epoch after a restart, with no history', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), 'json'));
    await rest.channels.get('ephemeral').publish('e', 'gone');
    await server().restart();
    const after = new Ably.Rest(realtimeOptions(server(), 'json'));
    expect((await after.channels.get('ephemeral').history()).items).toEqual([]);
  });
});
