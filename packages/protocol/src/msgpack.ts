import { Packr, Unpackr } from 'msgpackr';

// Plain maps only: ably-js's msgpack decoder must never meet records or ext types (protocol §1.5).
const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** Encodes a value (ProtocolMessage or REST body) as msgpack bytes, binary staying binary. */
export function encodeMsgpack(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes msgpack bytes; throws on malformed input. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
