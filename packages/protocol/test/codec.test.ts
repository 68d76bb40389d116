import { describe, expect, it } from 'vitest';
import { encodeJson, normaliseInbound, parseProtocolMessage } from '@switchboard/protocol';
import { decodeMsgpack, encodeMsgpack } from '@switchboard/protocol/msgpack';

describe('codecs', () => {
  it('RSL4d: binary becomes base64 for JSON recipients and stays binary in msgpack', () => {
    const pm = { action: 15, messages: [{ data: Buffer.from('deadbeef', 'hex') }] };
    expect(JSON.parse(encodeJson(pm)).messages[0]).toEqual({
      data: '3q2+7w==',
      encoding: 'base64',
    });
    const back = decodeMsgpack(encodeMsgpack(pm)) as typeof pm;
    expect(Buffer.from(back.messages[0]!.data).toString('hex')).toBe('deadbeef');
  });

  it("normalises a JSON publisher's base64 into bytes, keeping the rest of the encoding", () => {
    expect(normaliseInbound('3q2+7w==', 'utf-8/base64')).toEqual({
      data: Buffer.from('deadbeef', 'hex'),
      encoding: 'utf-8',
    });
    expect(normaliseInbound('{"a":1}', 'json')).toEqual({ data: '{"a":1}', encoding: 'json' });
  });

  it('rejects frames of the wrong shape with 40000', () => {
    expect(() => parseProtocolMessage({ action: 'x' })).toThrow(
      expect.objectContaining({ code: 40000 }),
    );
    expect(() => parseProtocolMessage({ action: 15, messages: 'no' })).toThrow(
      expect.objectContaining({ code: 40000 }),
    );
    expect(() => parseProtocolMessage([1])).toThrow(expect.objectContaining({ code: 40000 }));
    expect(
      parseProtocolMessage({ action: 10, channel: 'a', params: { rewind: 1 } }).params,
    ).toEqual({ rewind: '1' });
  });

  it('never emits msgpack ext types for plain values (ably-js decodes them as [type, bin])', () => {
    // Millisecond timestamps need 64 bits: uint64/int64/float64, never the timestamp ext.
    expect([0xcb, 0xcf, 0xd3]).toContain(encodeMsgpack(1_760_000_000_000)[0]);
    expect(encodeMsgpack(undefined)[0]).toBe(0xc0);
    const value = { timestamp: 1_760_000_000_000, n: -1, s: 'x', b: true };
    expect(decodeMsgpack(encodeMsgpack(value))).toEqual(value);
  });
});
