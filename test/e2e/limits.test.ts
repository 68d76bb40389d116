import { rawClient } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('limits over %s', (format) => {
  const { server, track } = useServer({
    limits: {
      maxChannelsPerConnection: 2,
      maxPresenceMembers: 2,
      maxInboundRate: 20,
      maxMessageSize: 2048,
    },
  });

  it('maxMessageSize is announced in connectionDetails and enforced by the client (40009)', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await expect(rt.channels.get('big').publish('x', 'y'.repeat(4096))).rejects.toMatchObject({
      code: 40009,
    });
  });

  it('maxMessageSize is enforced by the server for clients that do not check (NACK 40009)', async () => {
    const raw = await rawClient(server().port, { key: server().key, format });
    await raw.next((pm) => pm.action === 4);
    raw.send({
      action: 15,
      channel: 'big',
      msgSerial: 0,
      messages: [{ name: 'x', data: 'y'.repeat(4096) }],
    });
    const nack = await raw.next((pm) => pm.action === 2);
    expect(nack.error).toMatchObject({ code: 40009, statusCode: 400 });
    raw.close();
  });

  it('maxChannelsPerConnection refuses one more attach; the others stay attached', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    await rt.channels.get('c1').attach();
    await rt.channels.get('c2').attach();
    await expect(rt.channels.get('c3').attach()).rejects.toMatchObject({ code: 90001 });
    expect(rt.channels.get('c1').state).toBe('attached');
    await rt.channels.get('c1').detach();
    await rt.channels.get('c3').attach();
  });

  it('maxPresenceMembers refuses one more member with 91003', async () => {
    const clients = ['a', 'b', 'c'].map((clientId) =>
      track(new Ably.Realtime(realtimeOptions(server(), format, { clientId }))),
    );
    await clients[0]!.channels.get('crowded').presence.enter();
    await clients[1]!.channels.get('crowded').presence.enter();
    await expect(clients[2]!.channels.get('crowded').presence.enter()).rejects.toMatchObject({
      code: 91003,
    });
  });

  it('maxInboundRate NACKs the excess with 42910 and the connection stays up', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get('fast');
    await channel.attach();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => channel.publish('n', String(i))),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 42910,
      statusCode: 429,
    });
    expect(rt.connection.state).toBe('connected');
  });

  it('RTN19a: a resend whose answer was forgotten still gets its 42910 NACK, not an ACK', async () => {
    // More answers than the server keeps in full (256) go unheard, as in a long black hole on a
    // publisher over the rate limit; the client then resends them all with the same msgSerials.
    const raw = await rawClient(server().port, { key: server().key, format });
    await raw.next((pm) => pm.action === 4);
    const send = (msgSerial: number): void =>
      raw.send({ action: 15, channel: 'fast', msgSerial, messages: [{ data: String(msgSerial) }] });
    for (let n = 0; n < 400; n++) send(n);
    await raw.next((pm) => pm.action === 2 && pm.msgSerial === 399);
    raw.received.length = 0; // only answers to the resends count from here
    send(30); // refused first (over 20/s), answer long forgotten
    const again = await raw.next(
      (pm) => (pm.action === 1 || pm.action === 2) && pm.msgSerial === 30,
    );
    expect(again.action).toBe(2);
    expect(again.error).toMatchObject({ code: 42910 });
    send(3); // ACKed first
    const ok = await raw.next((pm) => (pm.action === 1 || pm.action === 2) && pm.msgSerial === 3);
    expect(ok.action).toBe(1);
    raw.close();
  });
});

describe('slow consumers', () => {
  const { server, track } = useServer({
    limits: { maxOutboundBufferBytes: 256 * 1024, maxInboundRate: 100_000 },
  });

  it('a connection that stops reading is disconnected, memory stays bounded, and others get everything', async () => {
    const slow = await rawClient(server().port, { key: server().key, format: 'json' });
    await slow.next((pm) => pm.action === 4);
    slow.send({ action: 10, channel: 'firehose' });
    await slow.next((pm) => pm.action === 11);
    slow.socket.pause();

    const fast = track(new Ably.Realtime(realtimeOptions(server(), 'msgpack')));
    const got = collect<Ably.Message>();
    await fast.channels.get('firehose').subscribe((m) => got.push(m));
    const rest = new Ably.Rest(realtimeOptions(server(), 'msgpack'));
    const payload = 'z'.repeat(30_000);
    const total = 400;
    for (let i = 0; i < total; i += 2) {
      await rest.channels
        .get('firehose')
        .publish(Array.from({ length: 2 }, (_, k) => ({ name: String(i + k), data: payload })));
    }
    await got.until(total, 30_000);
    slow.socket.resume();
    await slow.closed();
    expect(got.items.map((m) => m.name)).toEqual(
      Array.from({ length: total }, (_, i) => String(i)),
    );
  }, 60_000);
});
