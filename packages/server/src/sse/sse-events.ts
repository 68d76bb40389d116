import type { ErrorInfoShape, Message, ProtocolMessage } from '@switchboard/protocol';

/** One Server-Sent Events event, before it is written. */
export interface SseEvent {
  /** The event type; absent for the default `message` (what `EventSource.onmessage` gets). */
  event?: string;
  /** The `id:` a client echoes as Last-Event-ID when it reconnects. */
  id?: string;
  data: string;
}

/**
 * Writes an event in the text/event-stream format. A newline in the data would end the field,
 * so each line of the data becomes its own `data:` line (the client joins them back with \n).
 */
export function formatSseEvent(e: SseEvent): string {
  let out = '';
  if (e.event !== undefined) out += `event: ${e.event}\n`;
  if (e.id !== undefined) out += `id: ${e.id}\n`;
  for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** The B2B platform's keep-alive: `{"type":"heartbeat","timestamp":…}` as a default event. */
export function heartbeatEvent(now: number): SseEvent {
  return { data: JSON.stringify({ type: 'heartbeat', timestamp: now }) };
}

/** An Ably error, as the stream's last event before it closes. */
export function errorEvent(error: ErrorInfoShape): SseEvent {
  return { event: 'error', data: JSON.stringify(error) };
}

/** The position in a channel's sequence a message was written at: its serial less `:index`. */
function entrySerialOf(m: Message): string | undefined {
  const serial = m.version?.serial ?? m.serial;
  if (serial === undefined) return undefined;
  const colon = serial.lastIndexOf(':');
  return colon < 0 ? serial : serial.slice(0, colon);
}

/** A message of a MESSAGE frame as the stream shows it, with where it leaves the channel. */
export interface StreamedMessage {
  /** The message with the frame's fields it inherits (TM2) and its channel. */
  envelope: Record<string, unknown>;
  /**
   * The channel serial this message completes, when it is the last of its log entry: only then
   * may a resume start after it without losing the entry's other messages.
   */
  completes?: string;
}

/**
 * Splits a MESSAGE frame into the messages an SSE client sees (Ably's enveloped form: id, name,
 * data, encoding, timestamp, channel, clientId, connectionId, serial, extras).
 */
export function streamedMessages(pm: ProtocolMessage, channel: string): StreamedMessage[] {
  const messages = pm.messages ?? [];
  return messages.map((m, i) => {
    const envelope: Record<string, unknown> = {
      id: m.id ?? (pm.id !== undefined ? `${pm.id}:${i}` : undefined),
      ...m,
      timestamp: m.timestamp ?? pm.timestamp,
      connectionId: m.connectionId ?? pm.connectionId,
      channel,
    };
    const entry = entrySerialOf(m);
    const next = messages[i + 1];
    const last = next === undefined || entrySerialOf(next) !== entry;
    const streamed: StreamedMessage = { envelope };
    if (last) {
      const completes = next === undefined ? (entry ?? pm.channelSerial) : entry;
      if (completes !== undefined) streamed.completes = completes;
    }
    return streamed;
  });
}

/** A frame as every SSE stream writes it: parsed once, each message serialised once. */
export interface SseFrame {
  pm: ProtocolMessage;
  /** For a MESSAGE frame: each message enveloped (JSON text), its data alone, and its position. */
  messages: { enveloped: string; raw: string; completes?: string }[];
}

/** The payload alone (`enveloped=false`): a string as it is, anything else as JSON. */
function rawData(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data ?? null);
}

/**
 * Fan-out hands every JSON subscriber the same encoded bytes, so the streams of one channel
 * share one parse and one serialisation per frame (entries live as long as the bytes).
 */
export function createSseFrameCache(): (bytes: Buffer) => SseFrame {
  const frames = new WeakMap<Buffer, SseFrame>();
  return (bytes) => {
    const known = frames.get(bytes);
    if (known) return known;
    const pm = JSON.parse(bytes.toString('utf8')) as ProtocolMessage;
    const messages =
      pm.messages && pm.channel !== undefined
        ? streamedMessages(pm, pm.channel).map((m) => ({
            enveloped: JSON.stringify(m.envelope),
            raw: rawData(m.envelope.data),
            ...(m.completes !== undefined ? { completes: m.completes } : {}),
          }))
        : [];
    const frame = { pm, messages };
    frames.set(bytes, frame);
    return frame;
  };
}
