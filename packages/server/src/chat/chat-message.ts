import { Errors, MAX_PAYLOAD_DEPTH, MessageAction, type Message } from '@switchboard/protocol';

/** The name the Chat SDK gives room messages on the channel (`RealtimeMessageName.ChatMessage`). */
export const CHAT_MESSAGE_NAME = 'chat.message';

/** The reaction types of the Chat REST API and the annotation types they are stored as. */
export const REACTION_TYPES = {
  unique: 'reaction:unique.v1',
  distinct: 'reaction:distinct.v1',
  multiple: 'reaction:multiple.v1',
} as const;

/** A chat reaction type (`unique`, `distinct`, `multiple`). */
export type ReactionType = keyof typeof REACTION_TYPES;

/** Validates a reaction type from a request; 40003 otherwise. */
export function reactionType(value: unknown): ReactionType {
  if (typeof value === 'string' && value in REACTION_TYPES) return value as ReactionType;
  throw Errors.invalidParameter(`Invalid reaction type: ${String(value)}`);
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a chat message carries: text, metadata (any JSON object) and string headers. */
export interface ChatContent {
  text: string;
  metadata: Obj;
  headers: Record<string, string | number | boolean | null>;
}

/** 40003 when `value` nests deeper than MAX_PAYLOAD_DEPTH: it could not be encoded again. */
function requireShallow(value: unknown, field: string): void {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_PAYLOAD_DEPTH)
      throw Errors.invalidParameter(`${field} is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
}

/** Reads `{text, metadata?, headers?}` from a request body (send, update); 40003 when malformed. */
export function parseChatContent(body: unknown): ChatContent {
  if (!isObject(body)) throw Errors.invalidParameter('The message must be an object');
  if (typeof body.text !== 'string') throw Errors.invalidParameter('text must be a string');
  const metadata = body.metadata ?? {};
  if (!isObject(metadata)) throw Errors.invalidParameter('metadata must be an object');
  requireShallow(metadata, 'metadata');
  const headers = body.headers ?? {};
  if (!isObject(headers)) throw Errors.invalidParameter('headers must be an object');
  for (const [k, v] of Object.entries(headers)) {
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v))
      throw Errors.invalidParameter(`header ${k} must be a string, number, boolean or null`);
  }
  return { text: body.text, metadata, headers: headers as ChatContent['headers'] };
}

/** The channel message that carries chat content, as the Chat SDK reads it from realtime. */
export function chatChannelMessage(content: ChatContent): Message {
  return {
    name: CHAT_MESSAGE_NAME,
    data: JSON.stringify({ text: content.text, metadata: content.metadata }),
    encoding: 'json',
    extras: { headers: content.headers },
  };
}

/** Optional operation details: `description` and string `metadata` (update and delete bodies). */
export function parseOperationDetails(body: unknown): {
  description?: string;
  metadata?: Record<string, string>;
} {
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw Errors.invalidParameter('The body must be an object');
  const details: { description?: string; metadata?: Record<string, string> } = {};
  if (body.description !== undefined) {
    if (typeof body.description !== 'string')
      throw Errors.invalidParameter('description must be a string');
    details.description = body.description;
  }
  if (body.metadata !== undefined) {
    if (!isObject(body.metadata)) throw Errors.invalidParameter('metadata must be an object');
    details.metadata = Object.fromEntries(
      Object.entries(body.metadata).map(([k, v]) => [k, String(v)]),
    );
  }
  return details;
}

const ACTIONS: Record<number, string> = {
  [MessageAction.CREATE]: 'message.create',
  [MessageAction.UPDATE]: 'message.update',
  [MessageAction.DELETE]: 'message.delete',
};

/** The text and metadata of a stored chat message's JSON payload (empty when absent or foreign). */
function contentOf(m: Message): { text: string; metadata: Obj } {
  if (typeof m.data !== 'string' || !m.encoding?.startsWith('json'))
    return { text: '', metadata: {} };
  try {
    const parsed: unknown = JSON.parse(m.data);
    if (!isObject(parsed)) return { text: '', metadata: {} };
    return {
      text: typeof parsed.text === 'string' ? parsed.text : '',
      metadata: isObject(parsed.metadata) ? parsed.metadata : {},
    };
  } catch {
    return { text: '', metadata: {} };
  }
}

/**
 * A channel message in the shape of the Chat REST API v4 (`RestMessage`): text and metadata from
 * the JSON payload, headers from extras, the version (the message itself for an original), and
 * the reactions summary from its annotations.
 */
export function toChatMessage(m: Message, summary?: Record<string, unknown>): Obj {
  const { text, metadata } = contentOf(m);
  const extras = isObject(m.extras) ? m.extras : {};
  const version = m.version ?? {};
  const reactions = Object.fromEntries(
    Object.entries(REACTION_TYPES).map(([kind, type]) => [kind, summary?.[type] ?? {}]),
  );
  return {
    serial: m.serial,
    version: {
      serial: version.serial ?? m.serial,
      timestamp: version.timestamp ?? m.timestamp,
      ...(version.clientId !== undefined ? { clientId: version.clientId } : {}),
      ...(version.description !== undefined ? { description: version.description } : {}),
      ...(version.metadata !== undefined ? { metadata: version.metadata } : {}),
    },
    text,
    clientId: m.clientId ?? '',
    action: ACTIONS[m.action ?? MessageAction.CREATE] ?? 'message.create',
    metadata,
    headers: isObject(extras.headers) ? extras.headers : {},
    timestamp: m.timestamp,
    ...(typeof extras.userClaim === 'string' ? { userClaim: extras.userClaim } : {}),
    reactions,
  };
}

/**
 * One client's reactions to a message (`client-reactions`): the summary narrowed to that client,
 * totals left as they are.
 */
export function clientReactions(
  summary: Record<string, unknown> | undefined,
  clientId: string,
): Obj {
  const result: Obj = { unique: {}, distinct: {}, multiple: {} };
  for (const [kind, type] of Object.entries(REACTION_TYPES)) {
    const byName = summary?.[type];
    if (!isObject(byName)) continue;
    const mine: Obj = {};
    for (const [name, entry] of Object.entries(byName)) {
      if (!isObject(entry)) continue;
      const ids = entry.clientIds;
      if (Array.isArray(ids) && ids.includes(clientId))
        mine[name] = { ...entry, clientIds: [clientId] };
      else if (isObject(ids) && clientId in ids)
        mine[name] = { ...entry, clientIds: { [clientId]: ids[clientId] } };
    }
    result[kind] = mine;
  }
  return result;
}
