import { encodeMsgpack } from '@switchboard/protocol/msgpack';
import type { Random } from '../chaos/random.js';
import {
  CHANNEL_NAMES,
  ENCODINGS,
  awkwardString,
  hostileValue,
  isDeep,
  type DeepMarker,
} from './hostile-values.js';

/** A frame ready for the socket, with what it is for the report. */
export interface FuzzFrame {
  kind: 'json' | 'msgpack' | 'raw-text' | 'raw-binary';
  data: Buffer | string;
  binary: boolean;
  /** A short description of the mutation, to name a finding. */
  what: string;
  /** Likely to end the connection: the server answers a frame it cannot take with a NACK only
   * when it is a publish or presence with a msgSerial; anything else is a fatal ERROR. */
  fatal: boolean;
}

const PLACEHOLDER = '\u0001deep\u0001';

const TOP_FIELDS = [
  'action',
  'flags',
  'id',
  'timestamp',
  'count',
  'error',
  'connectionId',
  'connectionKey',
  'channel',
  'channelSerial',
  'msgSerial',
  'messages',
  'presence',
  'annotations',
  'state',
  'auth',
  'params',
  'connectionDetails',
  'res',
  'unknownField',
] as const;
const MESSAGE_FIELDS = [
  'id',
  'name',
  'data',
  'encoding',
  'clientId',
  'connectionId',
  'connectionKey',
  'timestamp',
  'extras',
  'action',
  'serial',
  'version',
  'type',
  'messageSerial',
] as const;

/** Valid ProtocolMessages a client sends, the starting points of every mutation. */
function template(random: Random, channel: string, msgSerial: number): Record<string, unknown> {
  const message = (): Record<string, unknown> => ({
    name: random.pick(['e', 'chat', '']),
    data: random.pick(['hello', { json: true }, '']),
    ...(random.next() < 0.3 ? { id: `fz-${random.int(0, 1e6)}` } : {}),
  });
  switch (random.int(0, 11)) {
    case 0:
      return { action: 10, channel, ...(random.next() < 0.3 ? { params: { rewind: '1' } } : {}) };
    case 1:
      return { action: 12, channel };
    case 2:
      return {
        action: 14,
        channel,
        msgSerial,
        presence: [{ action: random.int(2, 4), data: 'p' }],
      };
    case 3:
      return { action: 16, channel, channelSerial: 'x' };
    case 4:
      return { action: 17, auth: { accessToken: 'not.a.token' } };
    case 5:
      return { action: 0, id: String(random.int(0, 1e6)) };
    case 6:
      return {
        action: 21,
        channel,
        msgSerial,
        annotations: [{ action: 0, messageSerial: 'x', type: 'reaction:distinct.v1', name: 'y' }],
      };
    case 7:
      return { action: 15, channel, msgSerial, messages: [{ action: 1, serial: 'x', data: 'u' }] };
    case 8:
      return { action: 19, channel, msgSerial, state: [{ operation: { action: 0 } }] };
    default:
      return {
        action: 15,
        channel,
        msgSerial,
        messages: Array.from({ length: random.int(1, 3) }, message),
      };
  }
}

/** One change to a ProtocolMessage; returns what it did. */
function mutate(random: Random, pm: Record<string, unknown>): string {
  const inner = (): Record<string, unknown> | undefined => {
    for (const k of ['messages', 'presence', 'annotations'] as const) {
      const list = pm[k];
      if (Array.isArray(list) && list.length > 0 && typeof list[0] === 'object' && list[0] !== null)
        return list[0] as Record<string, unknown>;
    }
    return undefined;
  };
  switch (random.int(0, 12)) {
    case 0:
      pm.action = random.pick([-1, 22, 23, 99, 255, 256, 2 ** 31, 1.5, '15', null]);
      return `action ${String(pm.action)}`;
    case 1:
      pm.flags = random.pick([
        -1,
        2 ** 31,
        2 ** 32 + 5,
        0xffffffff,
        1.5,
        'x',
        random.int(0, 2 ** 30),
      ]);
      return `flags ${String(pm.flags)}`;
    case 2:
      pm.channel = random.pick(CHANNEL_NAMES);
      return `channel ${JSON.stringify(String(pm.channel).slice(0, 30))}`;
    case 3: {
      const m = inner();
      if (!m) return 'no inner';
      m.encoding = random.pick(ENCODINGS);
      m.data = random.pick([
        'aGVsbG8=',
        '!!!',
        '{"x":',
        '',
        'x'.repeat(10),
        Buffer.from([0xff, 0xfe]),
      ]);
      return `encoding ${String(m.encoding).slice(0, 30)}`;
    }
    case 4: {
      const m = inner();
      if (!m) return 'no inner';
      const field = random.pick(MESSAGE_FIELDS);
      m[field] = hostileValue(random);
      return `message.${field}`;
    }
    case 5: {
      const m = inner();
      if (!m) return 'no inner';
      m.extras = random.pick([
        () => ({ headers: hostileValue(random) }),
        () => ({ push: { notification: hostileValue(random) } }),
        () => ({ ref: { type: hostileValue(random), timeserial: hostileValue(random) } }),
        () => ({ delta: { from: 'x', format: 'vcdiff' } }),
        () => ({ ephemeral: hostileValue(random) }),
        () => hostileValue(random),
      ])();
      return 'message.extras';
    }
    case 6: {
      const field = random.pick(TOP_FIELDS);
      pm[field] = hostileValue(random);
      return `pm.${field}`;
    }
    case 7: {
      const field = random.pick(TOP_FIELDS);
      delete pm[field];
      return `without ${field}`;
    }
    case 8: {
      const key = random.pick(['messages', 'presence'] as const);
      const n = random.next() < 0.1 ? random.int(1000, 5000) : random.int(10, 200);
      pm[key] = Array.from({ length: n }, (_, i) => ({ name: `m${i}`, data: 'x' }));
      return `${key} ×${(pm[key] as unknown[]).length}`;
    }
    case 9: {
      const m = inner();
      const at = m ?? pm;
      const deep = random.next() < 0.2 ? random.int(2000, 200_000) : random.int(10, 1000);
      at.data = { deep, shape: random.pick(['array', 'object']) };
      return `deep data`;
    }
    case 10:
      // Thunks: only the one picked is built.
      pm.params = random.pick([
        () => ({ rewind: hostileValue(random) }),
        () => ({ delta: 'vcdiff', modes: 'bogus' }),
        () => ({ modes: hostileValue(random) }),
        () => Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`p${i}`, 'v'])),
        () => hostileValue(random),
      ])();
      return 'params';
    case 11:
      pm.msgSerial = random.pick([-1, 0, 2 ** 53, 1.5, 'x', null, random.int(0, 1e9)]);
      return `msgSerial ${String(pm.msgSerial)}`;
    default: {
      const m = inner();
      if (!m) return 'no inner';
      m.action = random.pick([-1, 6, 99, 2 ** 40, 'x']);
      return `message.action ${String(m.action)}`;
    }
  }
}

/** Nested text of `depth` levels, built as text so nothing recurses. */
export function deepJson(d: DeepMarker): string {
  return d.shape === 'array'
    ? '['.repeat(d.deep) + '1' + ']'.repeat(d.deep)
    : '{"a":'.repeat(d.deep) + '1' + '}'.repeat(d.deep);
}

/** The same as msgpack bytes: fixarray of one, or fixmap of one under key "a". */
function deepMsgpack(d: DeepMarker): Buffer {
  const unit = d.shape === 'array' ? Buffer.from([0x91]) : Buffer.from([0x81, 0xa1, 0x61]);
  return Buffer.concat([Buffer.alloc(unit.length * d.deep, unit), Buffer.from([0x01])]);
}

/** Replaces deep markers with a placeholder; returns the marker that was found, if any. */
function extractDeep(value: unknown, seen = 0): { found?: DeepMarker; value: unknown } {
  if (seen > 50 || typeof value !== 'object' || value === null) return { value };
  if (isDeep(value)) return { found: value, value: PLACEHOLDER };
  if (Buffer.isBuffer(value)) return { value };
  let found: DeepMarker | undefined;
  const walk = (v: unknown): unknown => {
    const r = extractDeep(v, seen + 1);
    found ??= r.found;
    return r.value;
  };
  if (Array.isArray(value)) {
    const out = value.length > 100 ? value : value.map(walk);
    return { ...(found ? { found } : {}), value: out };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = walk(v);
  return { ...(found ? { found } : {}), value: out };
}

/** Encodes a mutated ProtocolMessage or body; deep values go in as text or bytes built by hand. */
export function encode(pm: unknown, format: 'json' | 'msgpack'): Buffer | string {
  const { found, value } = extractDeep(pm);
  if (format === 'json') {
    let text: string;
    try {
      text = JSON.stringify(value, (_k, v: unknown) =>
        // Buffers have no JSON form: send them as ably-js would, base64.
        typeof v === 'object' && v !== null && (v as { type?: string }).type === 'Buffer'
          ? Buffer.from((v as { data: number[] }).data).toString('base64')
          : v,
      );
    } catch {
      text = '{"action":15}';
    }
    return found ? text.replace(JSON.stringify(PLACEHOLDER), deepJson(found)) : text;
  }
  const bytes = encodeMsgpack(value);
  if (!found) return bytes;
  const marker = encodeMsgpack(PLACEHOLDER);
  const at = bytes.indexOf(marker);
  return at < 0
    ? bytes
    : Buffer.concat([
        bytes.subarray(0, at),
        deepMsgpack(found),
        bytes.subarray(at + marker.length),
      ]);
}

/** Bytes that are not a ProtocolMessage in either format, or are one in the wrong frame type. */
function rawFrame(random: Random): FuzzFrame {
  const fatal = true;
  const valid = { action: 15, channel: 'fuzz:a', msgSerial: 0, messages: [{ data: 'x' }] };
  switch (random.int(0, 9)) {
    case 0:
      return {
        kind: 'raw-text',
        data: '{"action":15,',
        binary: false,
        what: 'truncated JSON',
        fatal,
      };
    case 1:
      return { kind: 'raw-text', data: 'null', binary: false, what: 'JSON null', fatal };
    case 2:
      return { kind: 'raw-text', data: '[15]', binary: false, what: 'JSON array', fatal };
    case 3:
      // ws rejects invalid UTF-8 in a text frame itself; the server must survive the close.
      return {
        kind: 'raw-binary',
        data: encodeMsgpack(valid).subarray(0, random.int(1, 20)),
        binary: true,
        what: 'truncated msgpack',
        fatal: true,
      };
    case 4:
      return {
        kind: 'raw-binary',
        data: Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]),
        binary: true,
        what: 'msgpack array claiming 4G items',
        fatal: true,
      };
    case 5:
      return {
        kind: 'raw-binary',
        data: Buffer.from([0xc7, 0x01, 0x05, 0x00]),
        binary: true,
        what: 'msgpack ext type',
        fatal: true,
      };
    case 6:
      return {
        kind: 'raw-binary',
        data: Buffer.from(JSON.stringify(valid)),
        binary: true,
        what: 'JSON in a binary frame',
        fatal: true,
      };
    case 7:
      return {
        kind: 'raw-text',
        data: encodeMsgpack(valid).toString('latin1'),
        binary: false,
        what: 'msgpack in a text frame',
        fatal: true,
      };
    case 8:
      return {
        kind: 'raw-binary',
        data: Buffer.from(Array.from({ length: random.int(1, 500) }, () => random.int(0, 255))),
        binary: true,
        what: 'random bytes',
        fatal: true,
      };
    default:
      return {
        kind: 'raw-text',
        data: awkwardString(random, random.int(1, 1000)),
        binary: false,
        what: 'random text',
        fatal: true,
      };
  }
}

/** A hostile frame for a connection speaking `format`, now and then not a ProtocolMessage. */
export function fuzzFrame(
  random: Random,
  format: 'json' | 'msgpack',
  channel: string,
  msgSerial: number,
): FuzzFrame {
  if (random.next() < 0.08) return rawFrame(random);
  const pm = template(random, channel, msgSerial);
  const changes = Array.from({ length: random.int(1, 3) }, () => mutate(random, pm));
  const what = `${String(pm.action)}: ${changes.join(', ')}`;
  const data = encode(pm, format);
  const fatal = !(pm.action === 14 || pm.action === 15) || typeof pm.msgSerial !== 'number';
  return { kind: format, data, binary: format === 'msgpack', what, fatal };
}

/** A hostile REST publish body: the messages of a mutated MESSAGE, or whatever replaced them. */
export function hostileMessages(random: Random): unknown {
  const pm = template(random, 'fuzz:a', 0);
  pm.action = 15;
  pm.messages ??= [{ name: 'e', data: 'x' }];
  for (let i = random.int(1, 3); i > 0; i--) mutate(random, pm);
  return random.next() < 0.7
    ? pm.messages
    : random.next() < 0.5
      ? (pm.messages as unknown[])?.[0]
      : pm;
}
