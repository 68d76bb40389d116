import type { Random } from '../chaos/random.js';

/**
 * Stands for nesting too deep to build as objects (encoders would recurse to death): the frame
 * encoder writes it out as text or bytes by hand.
 */
export interface DeepMarker {
  deep: number;
  shape: 'array' | 'object';
}

/** Whether a value is a DeepMarker. */
export const isDeep = (v: unknown): v is DeepMarker =>
  typeof v === 'object' && v !== null && typeof (v as DeepMarker).deep === 'number';

/** Nested arrays or objects `depth` deep: parsers and walkers that recurse meet their end here. */
export function deepValue(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** A string of `n` characters of one of the awkward sorts. */
export function awkwardString(random: Random, n: number): string {
  switch (random.int(0, 5)) {
    case 0:
      return 'x'.repeat(n);
    case 1:
      // Lone surrogates: valid in a JS string, not representable in UTF-8.
      return '\ud800'.repeat(n);
    case 2:
      return '\u0000'.repeat(n);
    case 3:
      return '\u{1F600}'.repeat(Math.ceil(n / 2));
    case 4:
      return '%E0%A4%A'.repeat(Math.ceil(n / 8));
    default:
      return Array.from({ length: n }, () => String.fromCharCode(random.int(0, 0xffff))).join('');
  }
}

/** Channel names a client should not get away with, and some it should. */
export const CHANNEL_NAMES: readonly string[] = [
  '',
  ':',
  '::',
  'fuzz:a',
  'fuzz:b',
  'fuzz',
  '[',
  '[]',
  '[?',
  '[?rewind=',
  '[?rewind=abc]fuzz:r',
  '[?rewind=99999999]fuzz:r',
  '[?rewind=1m]fuzz:r',
  '[?delta=vcdiff]fuzz:d',
  '[meta]',
  '[meta]channel.lifecycle',
  '[meta]log',
  '[filter=name==`x`]fuzz:f',
  '[filter=%%%]fuzz:f',
  '[occupancy]',
  'fuzz:\u0000',
  'fuzz:\ud800',
  'fuzz:\u00e9',
  'fuzz:' + 'y'.repeat(3000),
  'fuzz:*',
  '*',
  '#',
  'fuzz:a/b/../c',
  '$ably:x',
  '\n',
];

/** A value of the wrong kind or an extreme, and one time in 25 a huge one: what replaces a field. */
export function hostileValue(random: Random): unknown {
  return random.next() < 0.04 ? hugeValue(random) : smallValue(random);
}

/** Huge strings, arrays, objects and nesting: size limits and recursion. */
function hugeValue(random: Random): unknown {
  switch (random.int(0, 4)) {
    case 0:
      return awkwardString(random, random.int(10_000, 100_000));
    case 1:
      return 'z'.repeat(random.int(60_000, 600_000));
    case 2:
      return { deep: random.int(1000, 100_000), shape: random.next() < 0.5 ? 'array' : 'object' };
    case 3:
      return Array.from({ length: random.int(1000, 20_000) }, (_, i) => i);
    default:
      return Object.fromEntries(
        Array.from({ length: random.int(100, 5000) }, (_, i) => [`k${i}`, i]),
      );
  }
}

/** Wrong kinds and extremes of ordinary size. */
function smallValue(random: Random): unknown {
  switch (random.int(0, 29)) {
    case 0:
      return null;
    case 1:
      return true;
    case 2:
      return -1;
    case 3:
      return 0;
    case 4:
      return Number.MAX_SAFE_INTEGER + 2;
    case 5:
      return -Number.MAX_VALUE;
    case 6:
      return 1.5;
    case 7:
      return 2 ** 31;
    case 8:
      return 2 ** 32 + 1;
    case 9:
      return -(2 ** 63);
    case 10:
      return '';
    case 11:
      return 'x';
    case 12:
      return '1';
    case 13:
      return awkwardString(random, random.int(1, 64));
    case 14:
      return awkwardString(random, random.int(100, 2000));
    case 15:
      return 'z'.repeat(random.int(1000, 70_000));
    case 16:
      return [];
    case 17:
      return [1, 'x', null, {}];
    case 18:
      return {};
    case 19:
      return { __proto__: { polluted: 1 }, constructor: { prototype: 1 } };
    case 20:
      return JSON.parse('{"__proto__":{"polluted":1}}') as unknown;
    case 21:
      return deepValue(random.int(10, 200), random.next() < 0.5 ? 'array' : 'object');
    case 22:
      return deepValue(random.int(200, 900), 'array');
    case 23:
      return Array.from({ length: random.int(10, 300) }, (_, i) => i);
    case 24:
      return Object.fromEntries(
        Array.from({ length: random.int(10, 100) }, (_, i) => [`k${i}`, i]),
      );
    case 25:
      return random.pick(CHANNEL_NAMES);
    case 26:
      return Buffer.from(awkwardString(random, random.int(1, 2000)), 'latin1');
    case 27:
      return random.int(-1000, 1000);
    case 28:
      return 'toString';
    default:
      return [[[[[]]]]];
  }
}

/** Encodings, well-formed or not, for a message's `encoding` field. */
export const ENCODINGS: readonly string[] = [
  'json',
  'base64',
  'utf-8',
  'utf-8/base64',
  'json/utf-8/base64',
  'json/base64',
  'cipher+aes-128-cbc/base64',
  'vcdiff/base64',
  'vcdiff',
  'base64/base64/base64',
  'json/json',
  '/',
  '//',
  'utf-16',
  'gzip',
  'x'.repeat(1000),
  'json/'.repeat(200),
];
