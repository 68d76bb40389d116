import { rawClient } from '@switchboard/testkit';
import { encodeMsgpack } from '@switchboard/protocol/msgpack';
import { describe, expect, it } from 'vitest';
import { Ably, collect, realtimeOptions, useServer } from './helpers.js';

/** A small deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function malformedFrames(
  random: () => number,
  format: 'json' | 'msgpack',
  count: number,
): { data: Buffer | string; binary: boolean }[] {
  const frames: { data: Buffer | string; binary: boolean }[] = [];
  const bytes = (n: number): Buffer =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  const shapes: (() => unknown)[] = [
    () => ({ action: 15, msgSerial: 'x', channel: 'c', messages: [{}] }),
    () => ({ action: 15, channel: 7, msgSerial: 0, messages: 'nope' }),
    () => ({ action: 14, channel: 'c', msgSerial: 1, presence: [{ action: 99 }] }),
    () => ({ action: 10, channel: '' }),
    () => ({ action: 10, channel: '[broken', params: { rewind: 'soon' } }),
    () => ({ action: 42 }),
    () => ({ action: 'attach' }),
    () => ({
      action: 15,
      msgSerial: 3,
      channel: 'c',
      messages: [{ data: { deep: [1, 2, { x: null }] }, encoding: 5 }],
    }),
    () => [1, 2, 3],
    () => null,
    () => ({ action: 17, auth: { accessToken: 'forged.token.value' } }),
    () => ({ action: 12 }),
  ];
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(random() * 4);
    if (kind === 0) frames.push({ data: bytes(1 + Math.floor(random() * 200)), binary: true });
    else if (kind === 1)
      frames.push({ data: '{"action":' + bytes(8).toString('latin1'), binary: false });
    else {
      const shape = shapes[Math.floor(random() * shapes.length)]!();
      frames.push(
        format === 'msgpack'
          ? { data: encodeMsgpack(shape), binary: true }
          : { data: JSON.stringify(shape), binary: false },
      );
    }
  }
  return frames;
}

describe('robustness', () => {
  const { server, track } = useServer();

  it('10,000+ malformed frames over JSON and msgpack leave the server up and a good client loses nothing', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), 'msgpack')));
    const channel = rt.channels.get('robust');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));

    const random = prng(20261121);
    let thrown = 0;
    let published = 0;
    const attackers = Array.from({ length: 6 }, async (_, i) => {
      const format = i % 2 === 0 ? 'json' : 'msgpack';
      while (thrown < 10_000) {
        const bad = await rawClient(server().port, { key: server().key, format });
        const frames = malformedFrames(random, format, 250);
        for (const f of frames) bad.sendRaw(f.data, f.binary);
        thrown += frames.length;
        // One oversized frame per round as well.
        bad.sendRaw(Buffer.alloc(600_000, 1), true);
        thrown++;
        await bad.closed();
      }
    });
    const publishing = (async () => {
      // Paced under the per-connection inbound rate limit (maxInboundRate, 250/s by default).
      while (thrown < 10_000) {
        await channel.publish('seq', String(published++));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all([...attackers, publishing]);
    const items = await got.until(published, 20_000);
    expect(thrown).toBeGreaterThanOrEqual(10_000);
    expect(published).toBeGreaterThan(10);
    expect(items.map((m) => m.data)).toEqual(
      Array.from({ length: published }, (_, i) => String(i)),
    );
    expect(rt.connection.state).toBe('connected');
    const health = await fetch(`http://127.0.0.1:${server().port}/time`);
    expect(health.status).toBe(200);
  }, 60_000);

  it('a malformed frame is answered with ERROR 40000, a bad publish with NACK, and other connections never notice', async () => {
    const bystander = track(new Ably.Realtime(realtimeOptions(server(), 'json')));
    await bystander.channels.get('bystand').attach();
    const bad = await rawClient(server().port, { key: server().key, format: 'json' });
    await bad.next((pm) => pm.action === 4);
    bad.send({ action: 15, channel: 'c', msgSerial: 0, messages: 'not-an-array' });
    const nack = await bad.next((pm) => pm.action === 2);
    expect(nack.error).toMatchObject({ code: 40000, statusCode: 400 });
    bad.send({ action: 15, channel: '', msgSerial: 1, messages: [{ data: 'x' }] });
    expect((await bad.next((pm) => pm.action === 2 && pm.msgSerial === 1)).error?.code).toBe(40010);
    bad.sendRaw('{"action":', false);
    const error = await bad.next((pm) => pm.action === 9);
    expect(error.error).toMatchObject({ code: 40000, statusCode: 400 });
    await bad.closed();
    expect(bystander.connection.state).toBe('connected');
    expect(bystander.channels.get('bystand').state).toBe('attached');
  });
});
