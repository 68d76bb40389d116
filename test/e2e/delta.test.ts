import { decode } from '@ably/vcdiff-decoder';
import { rawClient, startTcpProxy } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions, useServer } from './helpers.js';

/** The payload sequence of ably-js's test/realtime/delta.test.js. */
const TEST_DATA = [
  { foo: 'bar', count: 1, status: 'active' },
  { foo: 'bar', count: 2, status: 'active' },
  { foo: 'bar', count: 2, status: 'inactive' },
  { foo: 'bar', count: 3, status: 'inactive' },
  { foo: 'bar', count: 3, status: 'active' },
];

/** The official decoder, counting how often the client needed it. */
function countingVcdiff(): { calls: number; decode: typeof decode } {
  const plugin = {
    calls: 0,
    decode(delta: Uint8Array, base: Uint8Array): Uint8Array {
      plugin.calls++;
      return decode(delta, base);
    },
  };
  return plugin;
}

const longText = (i: number): string =>
  `${'The quick brown fox jumps over the lazy dog. '.repeat(40)}edition ${i}`;
const longBinary = (i: number): Buffer => {
  const b = Buffer.alloc(2000);
  for (let k = 0; k < b.length; k++) b[k] = (k * 7) % 251;
  b[1000] = i;
  return b;
};

const PAYLOADS = {
  string: (i: number): unknown => longText(i),
  'JSON object': (i: number): unknown => ({
    ...TEST_DATA[i % TEST_DATA.length],
    text: longText(i),
  }),
  binary: (i: number): unknown => longBinary(i),
} as const;

describe("vcdiff deltas (channel param delta: 'vcdiff')", () => {
  const { server, track } = useServer();

  for (const format of FORMATS) {
    for (const [kind, payload] of Object.entries(PAYLOADS)) {
      it(`${kind} data in ${format}: the official client with the vcdiff plugin decodes every delta (PC3, RTL19)`, async () => {
        const s = server();
        const name = `delta-${format}-${kind.replace(' ', '-')}`;
        const vcdiff = countingVcdiff();
        const sub = track(
          new Ably.Realtime(
            realtimeOptions(s, format, { plugins: { vcdiff } } as Ably.ClientOptions),
          ),
        );
        const channel = sub.channels.get(name, { params: { delta: 'vcdiff' } });
        const plain = track(new Ably.Realtime(realtimeOptions(s, format)));
        const plainChannel = plain.channels.get(name);
        const got = collect<Ably.InboundMessage>();
        const gotPlain = collect<Ably.InboundMessage>();
        await channel.subscribe((m) => got.push(m));
        await plainChannel.subscribe((m) => gotPlain.push(m));
        const pub = track(new Ably.Realtime(realtimeOptions(s, format)));
        for (let i = 0; i < 5; i++) await pub.channels.get(name).publish(String(i), payload(i));
        const received = await got.until(5);
        const expected = [0, 1, 2, 3, 4].map(payload);
        for (const [i, m] of received.entries()) {
          expect(m.name).toBe(String(i));
          if (kind === 'binary')
            expect(Buffer.from(m.data as Uint8Array).equals(expected[i] as Buffer)).toBe(true);
          else expect(m.data).toEqual(expected[i]);
          // What the client hands the app is the message as published, not the delta.
          expect(m.encoding ?? null).toBeNull();
        }
        // Every message after the first was a delta; the plain subscriber got them in full.
        expect(vcdiff.calls).toBe(4);
        expect((await gotPlain.until(5)).map((m) => m.name)).toEqual(['0', '1', '2', '3', '4']);
        expect(channel.state).toBe('attached');
      });
    }
  }

  it('deltaPlugin (ably-js delta.test.js): small JSON objects, published by the subscriber itself, all but the first as deltas', async () => {
    const s = server();
    const vcdiff = countingVcdiff();
    const client = track(
      new Ably.Realtime(
        realtimeOptions(s, 'msgpack', { plugins: { vcdiff } } as Ably.ClientOptions),
      ),
    );
    const channel = client.channels.get('deltaPlugin', { params: { delta: 'vcdiff' } });
    await channel.attach();
    let reattached = false;
    channel.on('attaching', () => (reattached = true));
    const got = collect<Ably.InboundMessage>();
    await channel.subscribe((m) => got.push(m));
    for (const [i, data] of TEST_DATA.entries()) await channel.publish(String(i), data);
    expect((await got.until(TEST_DATA.length)).map((m) => m.data)).toEqual(TEST_DATA);
    expect(vcdiff.calls).toBe(TEST_DATA.length - 1);
    expect(reattached).toBe(false);
  });

  it('noPlugin: a client asking for deltas without the plugin fails the channel with 40019, as with Ably', async () => {
    const s = server();
    const client = track(new Ably.Realtime(realtimeOptions(s, 'json')));
    const channel = client.channels.get('noPlugin', { params: { delta: 'vcdiff' } });
    await channel.attach();
    const failed = channel.once('failed');
    const publisher = new Ably.Rest(realtimeOptions(s, 'json')).channels.get('noPlugin');
    for (const [i, data] of TEST_DATA.entries()) await publisher.publish(String(i), data);
    const change = await failed;
    expect(change?.reason?.code).toBe(40019);
  });

  it('on the wire: deltas only for delta subscribers, much smaller, extras.delta.from the previous id; full again after a re-attach (RTL19c)', async () => {
    const s = server();
    const counting = async (params?: Record<string, string>) => {
      const raw = await rawClient(s.port, { key: s.key, format: 'json' });
      let bytes = 0;
      raw.socket.on('message', (d: Buffer) => {
        if (d.toString('utf8').startsWith('{"action":15')) bytes += d.length;
      });
      raw.send({ action: 10, channel: 'wire', ...(params ? { params } : {}) });
      await raw.next((pm) => pm.action === 11);
      return { raw, bytes: () => bytes };
    };
    const delta = await counting({ delta: 'vcdiff' });
    const full = await counting();
    const rest = new Ably.Rest(realtimeOptions(s, 'json'));
    for (let i = 0; i < 10; i++) await rest.channels.get('wire').publish('m', longText(i));
    const messagesOf = (raw: typeof delta.raw) =>
      raw.received.filter((pm) => pm.action === 15).flatMap((pm) => pm.messages ?? []);
    await delta.raw.next(() => messagesOf(delta.raw).length === 10);
    await full.raw.next(() => messagesOf(full.raw).length === 10);
    const sent = messagesOf(delta.raw);
    expect(sent[0]!.encoding).toBeUndefined();
    for (let i = 1; i < 10; i++) {
      expect(sent[i]!.encoding).toBe('utf-8/vcdiff/base64');
      expect((sent[i]!.extras as { delta: unknown }).delta).toEqual({
        from: sent[i - 1]!.id,
        format: 'vcdiff',
      });
    }
    expect(messagesOf(full.raw).every((m) => m.encoding === undefined)).toBe(true);
    expect(delta.bytes()).toBeLessThan(full.bytes() * 0.3);

    // A re-attach from the last serial: the replayed message comes in full (the client has no base).
    const lastSerial = [...delta.raw.received]
      .reverse()
      .find((pm) => pm.action === 15)!.channelSerial!;
    delta.raw.send({ action: 12, channel: 'wire' });
    await delta.raw.next((pm) => pm.action === 13);
    await rest.channels.get('wire').publish('m', longText(10));
    await rest.channels.get('wire').publish('m', longText(11));
    const before = delta.raw.received.length;
    delta.raw.send({
      action: 10,
      channel: 'wire',
      channelSerial: lastSerial,
      params: { delta: 'vcdiff' },
    });
    await delta.raw.next(
      () =>
        delta.raw.received
          .slice(before)
          .filter((pm) => pm.action === 15)
          .flatMap((pm) => pm.messages ?? []).length >= 2,
    );
    const replayed = delta.raw.received
      .slice(before)
      .filter((pm) => pm.action === 15)
      .flatMap((pm) => pm.messages ?? []);
    expect(replayed[0]!.data).toBe(longText(10));
    expect(replayed[0]!.encoding).toBeUndefined();
    expect(replayed[1]!.encoding).toBe('utf-8/vcdiff/base64');
    delta.raw.close();
    full.raw.close();
  });

  it('resume after a cut: the client with deltas gets every message, decoded correctly', async () => {
    const s = server();
    const proxy = await startTcpProxy(s.port);
    try {
      const vcdiff = countingVcdiff();
      const sub = track(
        new Ably.Realtime({
          ...realtimeOptions(s, 'msgpack', { plugins: { vcdiff } } as Ably.ClientOptions),
          port: proxy.port,
        }),
      );
      const channel = sub.channels.get('delta-resume', { params: { delta: 'vcdiff' } });
      const got = collect<Ably.InboundMessage>();
      await channel.subscribe((m) => got.push(m));
      const rest = new Ably.Rest(realtimeOptions(s, 'json'));
      const pubChannel = rest.channels.get('delta-resume');
      for (let i = 0; i < 3; i++) await pubChannel.publish(String(i), { text: longText(i) });
      await got.until(3);
      proxy.dropAll();
      await connectionState(sub, 'disconnected');
      for (let i = 3; i < 6; i++) await pubChannel.publish(String(i), { text: longText(i) });
      await connectionState(sub, 'connected');
      await pubChannel.publish('6', { text: longText(6) });
      const all = await got.until(7, 20_000);
      expect(all.map((m) => m.name)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
      expect(all.map((m) => m.data)).toEqual(
        [0, 1, 2, 3, 4, 5, 6].map((i) => ({ text: longText(i) })),
      );
      expect(vcdiff.calls).toBeGreaterThanOrEqual(3);
      expect(channel.state).toBe('attached');
    } finally {
      await proxy.close();
    }
  });
});
