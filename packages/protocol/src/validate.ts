import { normaliseInbound } from './data-encoding.js';
import { Errors } from './errors.js';
import type { Annotation, Message, MessageVersion, PresenceMessage } from './message.js';
import type { ProtocolMessage } from './protocol-message.js';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function optString(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw Errors.badRequest(`${key} must be a string`);
  return v;
}

function optNumber(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw Errors.badRequest(`${key} must be a number`);
  return v;
}

/**
 * The deepest nesting accepted in extras, object data and version metadata. Encoders recurse, so
 * a payload nested thousands deep parses but can never be sent again: stored, it would break
 * every SYNC, history read and resume that includes it.
 */
export const MAX_PAYLOAD_DEPTH = 32;

/** Throws 40000 when `value` nests deeper than MAX_PAYLOAD_DEPTH; walks without recursion. */
function requireShallow(value: unknown, field: string): void {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array) continue;
    if (depth > MAX_PAYLOAD_DEPTH) {
      throw Errors.badRequest(`${field} is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
    }
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
}

function optExtras(o: Obj): unknown {
  const v = o.extras;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw Errors.badRequest('extras must be an object');
  requireShallow(v, 'extras');
  return v;
}

/** The payload in neutral form, once object data is known to be encodable again. */
function payloadOf(o: Obj): ReturnType<typeof normaliseInbound> {
  requireShallow(o.data, 'data');
  return normaliseInbound(o.data, o.encoding);
}

/** Validates one inbound message (realtime or REST) and puts its payload in neutral form. */
export function parseMessage(raw: unknown): Message {
  if (!isObject(raw)) throw Errors.badRequest('A message must be an object');
  const m: Message = {};
  const id = optString(raw, 'id');
  if (id !== undefined) m.id = id;
  const name = optString(raw, 'name');
  if (name !== undefined) m.name = name;
  const clientId = optString(raw, 'clientId');
  if (clientId !== undefined) m.clientId = clientId;
  const connectionKey = optString(raw, 'connectionKey');
  if (connectionKey !== undefined) m.connectionKey = connectionKey;
  const timestamp = optNumber(raw, 'timestamp');
  if (timestamp !== undefined) m.timestamp = timestamp;
  const extras = optExtras(raw);
  if (extras !== undefined) m.extras = extras;
  const action = optNumber(raw, 'action');
  if (action !== undefined) {
    if (!Number.isInteger(action) || action < 0 || action > 5)
      throw Errors.badRequest('Invalid message action');
    m.action = action;
  }
  const serial = optString(raw, 'serial');
  if (serial !== undefined) m.serial = serial;
  if (raw.version !== undefined && raw.version !== null) {
    if (!isObject(raw.version)) throw Errors.badRequest('version must be an object');
    m.version = parseVersion(raw.version);
  }
  const payload = payloadOf(raw);
  if (payload.data !== undefined) m.data = payload.data;
  if (payload.encoding !== undefined) m.encoding = payload.encoding;
  return m;
}

function parseVersion(raw: Obj): MessageVersion {
  const v: MessageVersion = {};
  const clientId = optString(raw, 'clientId');
  if (clientId !== undefined) v.clientId = clientId;
  const description = optString(raw, 'description');
  if (description !== undefined) v.description = description;
  if (raw.metadata !== undefined && raw.metadata !== null) {
    if (!isObject(raw.metadata)) throw Errors.badRequest('version.metadata must be an object');
    requireShallow(raw.metadata, 'version.metadata');
    v.metadata = Object.fromEntries(Object.entries(raw.metadata).map(([k, x]) => [k, String(x)]));
  }
  return v;
}

/** Validates one inbound presence message. */
export function parsePresenceMessage(raw: unknown): PresenceMessage {
  if (!isObject(raw)) throw Errors.badRequest('A presence message must be an object');
  const action = optNumber(raw, 'action');
  if (action === undefined || !Number.isInteger(action) || action < 0 || action > 4) {
    throw Errors.badRequest('presence action must be 0-4');
  }
  const p: PresenceMessage = { action };
  const id = optString(raw, 'id');
  if (id !== undefined) p.id = id;
  const clientId = optString(raw, 'clientId');
  if (clientId !== undefined) p.clientId = clientId;
  const connectionId = optString(raw, 'connectionId');
  if (connectionId !== undefined) p.connectionId = connectionId;
  const timestamp = optNumber(raw, 'timestamp');
  if (timestamp !== undefined) p.timestamp = timestamp;
  const extras = optExtras(raw);
  if (extras !== undefined) p.extras = extras;
  const payload = payloadOf(raw);
  if (payload.data !== undefined) p.data = payload.data;
  if (payload.encoding !== undefined) p.encoding = payload.encoding;
  return p;
}

/** Validates one inbound annotation (RSAN1, RTAN1): `type` is required, `count` a whole number. */
export function parseAnnotation(raw: unknown): Annotation {
  if (!isObject(raw)) throw Errors.badRequest('An annotation must be an object');
  const a: Annotation = {};
  const action = optNumber(raw, 'action');
  if (action !== undefined) {
    if (action !== 0 && action !== 1) throw Errors.badRequest('annotation action must be 0 or 1');
    a.action = action;
  }
  for (const key of ['id', 'clientId', 'name', 'messageSerial', 'type'] as const) {
    const v = optString(raw, key);
    if (v !== undefined) a[key] = v;
  }
  if (!a.type) throw Errors.invalidParameter('An annotation needs a type');
  const count = optNumber(raw, 'count');
  if (count !== undefined) {
    if (!Number.isSafeInteger(count)) throw Errors.badRequest('count must be an integer');
    a.count = count;
  }
  const extras = optExtras(raw);
  if (extras !== undefined) a.extras = extras;
  const payload = payloadOf(raw);
  if (payload.data !== undefined) a.data = payload.data;
  if (payload.encoding !== undefined) a.encoding = payload.encoding;
  return a;
}

function parseParams(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw Errors.badRequest('params must be an object');
  const params: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    // Channel params are strings on the wire, but apps pass numbers (`rewind: 1`) too.
    if (typeof val === 'string') params[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') params[k] = String(val);
    else throw Errors.badRequest(`param ${k} must be a string`);
  }
  return params;
}

/**
 * Validates a decoded client frame. Shape errors throw 40000; the caller answers them without
 * dropping the connection's other work.
 */
export function parseProtocolMessage(raw: unknown): ProtocolMessage {
  if (!isObject(raw)) throw Errors.badRequest('A protocol message must be an object');
  const action = raw.action;
  if (typeof action !== 'number' || !Number.isInteger(action)) {
    throw Errors.badRequest('action must be an integer');
  }
  const pm: ProtocolMessage = { action };
  const id = optString(raw, 'id');
  if (id !== undefined) pm.id = id;
  const channel = optString(raw, 'channel');
  if (channel !== undefined) pm.channel = channel;
  const channelSerial = optString(raw, 'channelSerial');
  if (channelSerial !== undefined) pm.channelSerial = channelSerial;
  const msgSerial = optNumber(raw, 'msgSerial');
  if (msgSerial !== undefined) pm.msgSerial = msgSerial;
  const flags = optNumber(raw, 'flags');
  if (flags !== undefined) pm.flags = flags;
  const params = parseParams(raw.params);
  if (params !== undefined) pm.params = params;
  if (raw.messages !== undefined && raw.messages !== null) {
    if (!Array.isArray(raw.messages)) throw Errors.badRequest('messages must be an array');
    pm.messages = raw.messages.map(parseMessage);
  }
  if (raw.presence !== undefined && raw.presence !== null) {
    if (!Array.isArray(raw.presence)) throw Errors.badRequest('presence must be an array');
    pm.presence = raw.presence.map(parsePresenceMessage);
  }
  if (raw.annotations !== undefined && raw.annotations !== null) {
    if (!Array.isArray(raw.annotations)) throw Errors.badRequest('annotations must be an array');
    pm.annotations = raw.annotations.map(parseAnnotation);
  }
  if (raw.auth !== undefined && raw.auth !== null) {
    if (!isObject(raw.auth)) throw Errors.badRequest('auth must be an object');
    const accessToken = optString(raw.auth, 'accessToken');
    pm.auth = accessToken !== undefined ? { accessToken } : {};
  }
  return pm;
}
