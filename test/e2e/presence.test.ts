import { startTcpProxy } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('presence over %s', (format) => {
  const { server, track } = useServer();

  async function partnerWatching(
    channelName: string,
  ): Promise<{ events: ReturnType<typeof collect<Ably.PresenceMessage>> }> {
    const watcher = track(
      new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'watcher' })),
    );
    const events = collect<Ably.PresenceMessage>();
    await watcher.channels.get(channelName).presence.subscribe((m) => events.push(m));
    return { events };
  }

  it('RTP8/RTP11/RSP3: enter with data is seen by realtime and REST presence.get()', async () => {
    const name = 'meetwithoutfear:session:p1:presence';
    const { events } = await partnerWatching(name);
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'user-1' })));
    await rt.channels
      .get(name)
      .presence.enter({ userId: 'user-1', stage: 4, status: 'IN_PROGRESS' });
    const [enter] = await events.until(1);
    expect(enter!.action).toBe('enter');
    expect(enter!.clientId).toBe('user-1');

    const late = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'late' })));
    const members = await late.channels.get(name).presence.get();
    expect(members.map((m) => [m.clientId, m.data])).toEqual([
      ['user-1', { userId: 'user-1', stage: 4, status: 'IN_PROGRESS' }],
    ]);
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const page = await rest.channels.get(name).presence.get();
    expect(page.items.map((m) => [m.clientId, m.action, m.data])).toEqual([
      ['user-1', 'present', { userId: 'user-1', stage: 4, status: 'IN_PROGRESS' }],
    ]);
  });

  it('RTP9: update is broadcast as update', async () => {
    const name = 'presence-update';
    const { events } = await partnerWatching(name);
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'u' })));
    const ch = rt.channels.get(name);
    await ch.presence.enter('a');
    await ch.presence.update('b');
    const items = await events.until(2);
    expect(items.map((m) => [m.action, m.data])).toEqual([
      ['enter', 'a'],
      ['update', 'b'],
    ]);
  });

  it('RTL5: the partner detaching is seen as leave at once', async () => {
    const name = 'presence-detach';
    const { events } = await partnerWatching(name);
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'partner' })));
    const ch = rt.channels.get(name);
    await ch.presence.enter('here');
    await ch.detach();
    const items = await events.until(2);
    expect(items.map((m) => [m.action, m.clientId])).toEqual([
      ['enter', 'partner'],
      ['leave', 'partner'],
    ]);
  });

  it('RTN12: the partner closing the connection is seen as leave at once', async () => {
    const name = 'presence-close';
    const { events } = await partnerWatching(name);
    const rt = new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'partner' }));
    await rt.channels.get(name).presence.enter('here');
    rt.close();
    const items = await events.until(2);
    expect(items.map((m) => m.action)).toEqual(['enter', 'leave']);
  });

  it('RTP5: a dropped partner leaves after the grace period (remainPresentFor)', async () => {
    const name = 'presence-drop';
    const { events } = await partnerWatching(name);
    const proxy = await startTcpProxy(server().port);
    const rt = track(
      new Ably.Realtime({
        ...realtimeOptions(server(), format, { clientId: 'partner' }),
        port: proxy.port,
        transportParams: { remainPresentFor: 300 },
        disconnectedRetryTimeout: 60_000,
      } as Ably.ClientOptions),
    );
    await rt.channels.get(name).presence.enter('here');
    await events.until(1);
    // Make every reconnect fail too, so the connection cannot resume within the grace period.
    await proxy.close();
    proxy.dropAll();
    const started = Date.now();
    const items = await events.until(2, 10_000);
    expect(items[1]!.action).toBe('leave');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('RTP17: presence survives a resumed connection without spurious events', async () => {
    const name = 'presence-resume';
    const { events } = await partnerWatching(name);
    const proxy = await startTcpProxy(server().port);
    const rt = track(
      new Ably.Realtime({
        ...realtimeOptions(server(), format, { clientId: 'partner' }),
        port: proxy.port,
      }),
    );
    await connectionState(rt, 'connected');
    const id = rt.connection.id;
    const ch = rt.channels.get(name);
    await ch.presence.enter('here');
    await events.until(1);
    const reconnected = rt.connection.once('connected');
    proxy.dropAll();
    await reconnected;
    expect(rt.connection.id).toBe(id);
    await ch.whenState('attached');
    // Another member entering after the resume proves the stream went on with nothing in between:
    // the client's automatic re-enter (RTP17g) must not show up as an update or leave/enter.
    const second = track(
      new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'second' })),
    );
    await second.channels.get(name).presence.enter('also here');
    const items = await events.until(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(items.map((m) => [m.action, m.clientId])).toEqual([
      ['enter', 'partner'],
      ['enter', 'second'],
    ]);
    expect((await ch.presence.get()).map((m) => m.clientId).sort()).toEqual(['partner', 'second']);
    await proxy.close();
  });

  it('RTP8j: an anonymous client cannot enter presence', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await expect(rt.channels.get('anon').presence.enter('x')).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
