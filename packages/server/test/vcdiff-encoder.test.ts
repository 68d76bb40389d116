import { decode } from '@ably/vcdiff-decoder';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeVcdiff } from '@switchboard/server';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Encodes, decodes with the official decoder and checks the target comes back. */
function roundTrip(base: Uint8Array, target: Uint8Array): Uint8Array {
  const delta = encodeVcdiff(base, target);
  expect(Buffer.from(decode(delta, base)).equals(Buffer.from(target))).toBe(true);
  return delta;
}

describe('VCDIFF encoder (RFC 3284), decoded by @ably/vcdiff-decoder', () => {
  it('round-trips edits of text: a small change costs a small delta', () => {
    const base = bytes(
      JSON.stringify({ user: 'ada', score: 10, tags: ['a', 'b', 'c'], text: 'x'.repeat(500) }),
    );
    const target = bytes(
      JSON.stringify({ user: 'ada', score: 11, tags: ['a', 'b', 'c'], text: 'x'.repeat(500) }),
    );
    const delta = roundTrip(base, target);
    expect(delta.length).toBeLessThan(target.length / 10);
  });

  it('round-trips the edge cases: empty base, empty target, equal, no overlap', () => {
    roundTrip(new Uint8Array(0), bytes('hello world'));
    roundTrip(bytes('hello world'), new Uint8Array(0));
    roundTrip(new Uint8Array(0), new Uint8Array(0));
    roundTrip(bytes('same same same'), bytes('same same same'));
    roundTrip(bytes('abc'), bytes('xyz'));
    roundTrip(bytes('abcd'), bytes('abcd'));
  });

  it('uses RUN for repeated bytes and varints past one byte (sizes and addresses over 127)', () => {
    const base = randomBytes(5000);
    const target = Buffer.concat([
      base.subarray(3000, 4000),
      Buffer.alloc(300, 7),
      base.subarray(10, 400),
    ]);
    const delta = roundTrip(base, target);
    expect(delta.length).toBeLessThan(40);
  });

  it('round-trips random binary payloads and random edits of them', () => {
    for (let n = 0; n < 200; n++) {
      const base = randomBytes(Math.floor(Math.random() * 2000));
      const target = Buffer.from(base);
      for (let e = 0; e < 5 && target.length > 0; e++)
        target[Math.floor(Math.random() * target.length)] = Math.floor(Math.random() * 256);
      const grown = Buffer.concat([target, randomBytes(Math.floor(Math.random() * 50))]);
      roundTrip(base, grown);
      roundTrip(base, randomBytes(Math.floor(Math.random() * 300)));
    }
  });

  it('a 64 KB payload with one byte changed encodes in a few bytes', () => {
    const base = randomBytes(65_536);
    const target = Buffer.from(base);
    target[30_000] = (target[30_000]! + 1) % 256;
    expect(roundTrip(base, target).length).toBeLessThan(40);
  });
});

describe('VCDIFF encoder on repetitive input', () => {
  it('a long run over a base of the same byte is one RUN, not many short COPYs', () => {
    const base = Buffer.alloc(65_536);
    const target = Buffer.alloc(65_536);
    target[100] = 1;
    expect(roundTrip(base, target).length).toBeLessThan(64);
  });
});
