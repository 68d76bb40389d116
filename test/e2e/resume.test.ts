import { rawClient, startTcpProxy } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('resume over %s', (format) => {
  const { server, track } = useServer();

  it('RTN15c6/RTL15b: a black-holed then dropped socket resumes with the same id and every message arrives once, in order', async () => {
    const proxy = await startTcpProxy(server().port);
    const rt = track(new Ably.Realtime({ ...realtimeOptions(server(), format), port: proxy.port }));
    await connectionState(rt, 'connected');
    const id = rt.connection.id;
    const channel = rt.channels.get('resume:1');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));

    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const publisher = rest.channels.get('resume:1');
    await publisher.publish('n', '0');
    await got.until(1);
    // The server believes these are delivered, but they vanish on the way.
    proxy.blackhole();
    for (const n of ['1', '2', '3']) await publisher.publish('n', n);
    await new Promise((r) => setTimeout(r, 50));
    const reconnected = rt.connection.once('connected');
    proxy.dropAll();
    for (const n of ['4', '5']) await publisher.publish('n', n);

    await reconnected;
    expect(rt.connection.id).toBe(id);
    await publisher.publish('n', '6');
    const items = await got.until(7);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.items.map((m) => m.data)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(items.length).toBe(7);
    await proxy.close();
  });

  it('RTN15c7: resuming with an unknown key gives a new connection and 80018', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await connectionState(rt, 'connected');
    const recoveryKey = rt.connection.createRecoveryKey()!;
    rt.close();
    await connectionState(rt, 'closed');
    const recovering = track(
      new Ably.Realtime(realtimeOptions(server(), format, { recover: recoveryKey })),
    );
    const change = (await recovering.connection.once('connected')) as Ably.ConnectionStateChange;
    expect(change.reason?.code).toBe(80018);
  });

  it('RTN16: recover picks up the same connection id with a new key and missed messages', async () => {
    const proxy = await startTcpProxy(server().port);
    const first = new Ably.Realtime({ ...realtimeOptions(server(), format), port: proxy.port });
    await connectionState(first, 'connected');
    const channel = first.channels.get('recover:1');
    await channel.attach();
    const recoveryKey = first.connection.createRecoveryKey()!;
    const { id, key } = first.connection;
    proxy.dropAll();
    await proxy.close();
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    await rest.channels.get('recover:1').publish('missed', 'while away');

    const second = track(
      new Ably.Realtime(realtimeOptions(server(), format, { recover: recoveryKey })),
    );
    const got = collect<Ably.Message>();
    await second.channels.get('recover:1').subscribe((m) => got.push(m));
    await connectionState(second, 'connected');
    expect(second.connection.id).toBe(id);
    expect(second.connection.key).not.toBe(key);
    expect((await got.until(1))[0]!.data).toBe('while away');
    first.close();
  });

  it('RTN19a: publishes pending over a drop are delivered exactly once', async () => {
    const proxy = await startTcpProxy(server().port);
    const sub = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const got = collect<Ably.Message>();
    await sub.channels.get('resend').subscribe((m) => got.push(m));
    const pub = track(
      new Ably.Realtime({ ...realtimeOptions(server(), format), port: proxy.port }),
    );
    const channel = pub.channels.get('resend');
    await channel.attach();
    // Publish, black-hole the ACKs, then drop: the client resends with the same msgSerial.
    proxy.blackhole();
    const pending = [channel.publish('p', 'a'), channel.publish('p', 'b')];
    await got.until(2);
    proxy.dropAll();
    await Promise.all(pending);
    await channel.publish('p', 'c');
    await got.until(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.items.map((m) => m.data)).toEqual(['a', 'b', 'c']);
    await proxy.close();
  });

  it('RTN15c6/RTN15e: a client whose CONNECTED (with the new key) was lost resumes with the key it holds', async () => {
    const connect = async (resume?: string) => {
      const raw = await rawClient(server().port, {
        key: server().key,
        format,
        ...(resume ? { resume } : {}),
      });
      const connected = await raw.next((pm) => pm.action === 4);
      raw.close();
      await raw.closed();
      return connected;
    };
    const first = await connect();
    const held = first.connectionDetails!.connectionKey!;
    // The server rotates the key, but this CONNECTED never reaches the client.
    const lost = await connect(held);
    expect(lost.connectionId).toBe(first.connectionId);
    const again = await connect(held);
    expect(again.connectionId).toBe(first.connectionId);
    expect(again.error).toBeUndefined();
    // Once the client resumes with the newer key, that is the one it holds.
    const newer = again.connectionDetails!.connectionKey!;
    expect((await connect(newer)).connectionId).toBe(first.connectionId);
  });
});
