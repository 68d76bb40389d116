import { Errors, parseChannelName } from '@switchboard/protocol';
import type { NotificationKind } from '../ports/notification-store.js';

/** A `POST /notify` body, checked. */
export interface NotifyRequest {
  channel: string;
  /** Whose presence decides the route; the event channel when not given. */
  presenceChannel: string;
  recipientClientId: string;
  event: string;
  data?: unknown;
  kind: NotificationKind;
}

/** Longest event name or clientId accepted here (a push title is built from the event). */
const MAX_NAME = 256;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/** Longest channel name (as the channel grammar allows). */
const MAX_CHANNEL = 2048;

function text(
  body: Record<string, unknown>,
  field: string,
  required: boolean,
  max = MAX_NAME,
): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '')
    throw Errors.invalidNotification(field, 'must be a non-empty string');
  if (value.length > max)
    throw Errors.invalidNotification(field, `must be at most ${max} characters`);
  return value;
}

function channelName(body: Record<string, unknown>, field: string, required: boolean) {
  const raw = text(body, field, required, MAX_CHANNEL);
  if (raw === undefined) return undefined;
  try {
    // A `[qualifier]name` is not a place a notification can be published.
    const { name, params } = parseChannelName(raw);
    if (name !== raw || Object.keys(params ?? {}).length > 0) throw new Error('qualified');
    return name;
  } catch {
    throw Errors.invalidNotification(field, 'must be a plain channel name');
  }
}

/** Reads and checks a notify body; a mistake is a 400 naming the field. */
export function parseNotifyRequest(body: unknown): NotifyRequest {
  if (!isObject(body)) throw Errors.invalidNotification('body', 'must be a JSON object');
  const channel = channelName(body, 'channel', true)!;
  const presenceChannel = channelName(body, 'presenceChannel', false) ?? channel;
  const recipientClientId = text(body, 'recipientClientId', true)!;
  const event = text(body, 'event', true)!;
  const kind = body.kind ?? 'event';
  if (kind !== 'event' && kind !== 'nudge')
    throw Errors.invalidNotification('kind', "must be 'event' or 'nudge'");
  return {
    channel,
    presenceChannel,
    recipientClientId,
    event,
    kind,
    ...(body.data === undefined || body.data === null ? {} : { data: body.data }),
  };
}
