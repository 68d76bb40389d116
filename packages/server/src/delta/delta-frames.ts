import { Action, type Message } from '@switchboard/protocol';
import { createOutboundFrame, type OutboundFrame } from '../channels/outbound-frame.js';
import { encodeVcdiff } from './vcdiff-encoder.js';

/**
 * Deltas shared by every subscriber: a message's delta against a base is computed once, and a
 * frame's delta form is built once for the subscribers that had the same last message (all of
 * them but a publisher that does not see its own messages, normally). Entries live as long as
 * the message and frame objects do.
 */
export interface DeltaCache {
  /** The delta form of `message` against `base`, or undefined when none applies or it is not smaller. */
  deltaOf(message: Message, base: Message): Message | undefined;
  /** The delta form of a frame for subscribers whose last message was `base`. */
  frameFor(frame: OutboundFrame, base: Message, build: () => OutboundFrame): OutboundFrame;
}

/** Payload bytes as the client keeps them for the next delta: a string's UTF-8, or the bytes. */
function payloadBytes(m: Message): Uint8Array | undefined {
  if (typeof m.data === 'string') return Buffer.from(m.data, 'utf8');
  if (m.data instanceof Uint8Array) return m.data;
  return undefined;
}

/** Builds the vcdiff form of `message` against `base`, if smaller than the message's payload. */
function vcdiffMessage(message: Message, base: Message): Message | undefined {
  const target = payloadBytes(message);
  const source = payloadBytes(base);
  if (!target || !source || base.id === undefined) return undefined;
  if (message.encoding?.split('/').includes('vcdiff')) return undefined;
  const delta = encodeVcdiff(source, target);
  if (delta.length >= target.length) return undefined;
  // The client undoes the steps last to first: vcdiff gives bytes, utf-8 turns them back into
  // the string the message had, then its own encoding (json, cipher) follows.
  const steps = [
    message.encoding,
    typeof message.data === 'string' ? 'utf-8' : undefined,
    'vcdiff',
  ];
  const extras =
    typeof message.extras === 'object' && message.extras !== null ? message.extras : {};
  return {
    ...message,
    data: Buffer.from(delta.buffer, delta.byteOffset, delta.byteLength),
    encoding: steps.filter((s) => s !== undefined).join('/'),
    extras: { ...extras, delta: { from: base.id, format: 'vcdiff' } },
  };
}

/** Creates the engine's delta cache. */
export function createDeltaCache(): DeltaCache {
  const deltas = new WeakMap<Message, { base: Message; delta: Message | undefined }>();
  const frames = new WeakMap<OutboundFrame, { base: Message; frame: OutboundFrame }>();
  return {
    deltaOf(message, base) {
      const known = deltas.get(message);
      if (known?.base === base) return known.delta;
      const delta = vcdiffMessage(message, base);
      deltas.set(message, { base, delta });
      return delta;
    },
    frameFor(frame, base, build) {
      const known = frames.get(frame);
      if (known?.base === base) return known.frame;
      const built = build();
      frames.set(frame, { base, frame: built });
      return built;
    },
  };
}

/** One attachment's delta state (`delta: 'vcdiff'` channel param). */
export interface DeltaEncoder {
  /** The frame as this subscriber gets it: messages as deltas against what it got before. */
  encode(frame: OutboundFrame): OutboundFrame;
  /** Forgets the base: after an attach or resume the client has none, so the next is in full. */
  reset(): void;
}

/** Creates the delta state of one attachment. */
export function createDeltaEncoder(cache: DeltaCache): DeltaEncoder {
  let last: Message | undefined;
  return {
    encode(frame) {
      const messages = frame.pm.messages;
      if (frame.pm.action !== Action.MESSAGE || !messages || messages.length === 0) return frame;
      const first = last;
      last = messages[messages.length - 1];
      if (!first) return frame;
      return cache.frameFor(frame, first, () => {
        let base = first;
        let changed = false;
        const out = messages.map((m) => {
          const delta = cache.deltaOf(m, base);
          base = m;
          if (delta) changed = true;
          return delta ?? m;
        });
        return changed ? createOutboundFrame({ ...frame.pm, messages: out }) : frame;
      });
    },
    reset() {
      last = undefined;
    },
  };
}
