import { toJsonPayload } from './data-encoding.js';
import type { Annotation, Message, PresenceMessage } from './message.js';
import type { ProtocolMessage } from './protocol-message.js';

function jsonItem<T extends Message | PresenceMessage | Annotation>(item: T): T {
  if (!(item.data instanceof Uint8Array)) return item;
  const { data, encoding } = toJsonPayload(item);
  return { ...item, data, encoding };
}

/** Converts binary payloads into base64 text, the only way JSON can carry them (spec RSL4d3). */
export function toJsonView<
  T extends { messages?: Message[]; presence?: PresenceMessage[]; annotations?: Annotation[] },
>(value: T): T {
  const hasBinary =
    value.messages?.some((m) => m.data instanceof Uint8Array) ||
    value.presence?.some((p) => p.data instanceof Uint8Array) ||
    value.annotations?.some((a) => a.data instanceof Uint8Array);
  if (!hasBinary) return value;
  return {
    ...value,
    ...(value.messages ? { messages: value.messages.map(jsonItem) } : {}),
    ...(value.presence ? { presence: value.presence.map(jsonItem) } : {}),
    ...(value.annotations ? { annotations: value.annotations.map(jsonItem) } : {}),
  };
}

/** Encodes a ProtocolMessage as a JSON text frame. */
export function encodeJson(pm: ProtocolMessage): string {
  return JSON.stringify(toJsonView(pm));
}

/** Encodes any REST body as JSON, converting binary payloads in message or presence arrays. */
export function encodeJsonBody(body: unknown): string {
  if (Array.isArray(body)) {
    return JSON.stringify(
      body.map((item: unknown) =>
        item && typeof item === 'object' && (item as Message).data instanceof Uint8Array
          ? jsonItem(item as Message)
          : item,
      ),
    );
  }
  if (body && typeof body === 'object' && (body as Message).data instanceof Uint8Array) {
    return JSON.stringify(jsonItem(body as Message));
  }
  return JSON.stringify(body);
}

/** Decodes a JSON frame; throws SyntaxError on malformed text. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text);
}
