import { encodeJson, type ProtocolMessage } from '@switchboard/protocol';
import { encodeMsgpack } from '@switchboard/protocol/msgpack';

/** The two wire formats a connection may speak. */
export type WireFormat = 'json' | 'msgpack';

/**
 * A ProtocolMessage encoded at most once per wire format, however many connections it goes to:
 * fan-out hands every subscriber the same bytes.
 */
export interface OutboundFrame {
  readonly pm: ProtocolMessage;
  bytes(format: WireFormat): Buffer;
}

/** Wraps a ProtocolMessage for sending; encoding happens lazily, once per format. */
export function createOutboundFrame(pm: ProtocolMessage): OutboundFrame {
  let json: Buffer | undefined;
  let msgpack: Buffer | undefined;
  return {
    pm,
    bytes(format) {
      if (format === 'json') return (json ??= Buffer.from(encodeJson(pm)));
      return (msgpack ??= encodeMsgpack(pm));
    },
  };
}
