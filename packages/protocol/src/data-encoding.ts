import { Errors } from './errors.js';
import type { Data } from './message.js';

/**
 * Payloads are held format-neutrally: binary is bytes, never base64. A JSON publisher's
 * trailing `base64` step is decoded here; each JSON recipient gets it re-applied on the way
 * out (spec RSL4c/RSL6a).
 */
export interface NeutralPayload {
  data?: Data;
  encoding?: string;
}

/** Normalises data received over the wire (JSON or msgpack) into the neutral form. */
export function normaliseInbound(data: unknown, encoding: unknown): NeutralPayload {
  if (encoding !== undefined && encoding !== null && typeof encoding !== 'string') {
    throw Errors.invalidData('encoding must be a string');
  }
  const enc = encoding ?? undefined;
  if (data === undefined || data === null) return enc ? { encoding: enc } : {};
  if (typeof data === 'string') {
    if (enc && (enc === 'base64' || enc.endsWith('/base64'))) {
      const rest = enc === 'base64' ? undefined : enc.slice(0, -'/base64'.length);
      const bytes = Buffer.from(data, 'base64');
      return rest ? { data: bytes, encoding: rest } : { data: bytes };
    }
    return enc ? { data, encoding: enc } : { data };
  }
  if (data instanceof Uint8Array) return enc ? { data, encoding: enc } : { data };
  // JSON publishers of the raw REST API may send objects; keep them as json-encoded text.
  if (typeof data === 'object') {
    const text = JSON.stringify(data);
    return { data: text, encoding: enc ? `${enc}/json` : 'json' };
  }
  throw Errors.invalidData(`Unsupported data type: ${typeof data}`);
}

/** The payload as a JSON recipient must see it: bytes become base64 text with `base64` appended. */
export function toJsonPayload(p: NeutralPayload): NeutralPayload {
  if (p.data instanceof Uint8Array) {
    const text = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString(
      'base64',
    );
    return { data: text, encoding: p.encoding ? `${p.encoding}/base64` : 'base64' };
  }
  return p;
}

/** Bytes of a string or payload, 0 when absent. */
function bytesOf(value: Data | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

/**
 * Size of a message or presence event for limits: every field a client chooses and the server
 * stores (id, name, clientId, data, encoding, extras, version details), so no field can carry
 * more than `maxMessageSize` past the check. Ably's own count (TO3l8) is the name, data,
 * clientId and extras; the rest is small for any honest client.
 */
export function messageSize(m: {
  id?: string | undefined;
  name?: string | undefined;
  clientId?: string | undefined;
  data?: Data | undefined;
  encoding?: string | undefined;
  extras?: unknown;
  version?: unknown;
}): number {
  let size =
    bytesOf(m.id) + bytesOf(m.name) + bytesOf(m.clientId) + bytesOf(m.data) + bytesOf(m.encoding);
  if (m.extras !== undefined && m.extras !== null)
    size += Buffer.byteLength(JSON.stringify(m.extras));
  if (m.version !== undefined && m.version !== null)
    size += Buffer.byteLength(JSON.stringify(m.version));
  return size;
}
