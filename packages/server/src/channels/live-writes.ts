import { Action, Flag, MessageAction, type Annotation, type Message } from '@switchboard/protocol';
import type { AnnotationBook } from './annotation-book.js';
import type { CommitGate } from './commit-gate.js';
import type { WriteOutcome } from './write-outcome.js';
import type { FanOut } from './fan-out.js';
import { createOutboundFrame } from './outbound-frame.js';

/**
 * Ephemeral messages (`extras.ephemeral`, as the Chat SDK sends typing and room reactions) are
 * delivered live and never kept: not in history, rewind, resume or the store.
 */
export function isEphemeral(m: Message): boolean {
  const extras = m.extras as { ephemeral?: unknown } | undefined;
  return extras?.ephemeral === true;
}

/** Who published a live-only write. */
export interface LivePublication {
  connectionId: string;
  pmId: string;
  timestamp: number;
}

/**
 * A channel's live-only writes: ephemeral messages, annotations and the summaries they make.
 * None takes a sequence number: each frame carries the channel serial shown so far, so a
 * client's position never runs ahead of the log, the store, or a restart's restored serial.
 */
export interface LiveWrites {
  /** Fans out ephemeral messages; gives each its serial. */
  publishEphemeral(messages: Message[], publication: LivePublication): string[];
  /**
   * Records an annotation of a known message and fans it out to annotation subscribers, then the
   * message's new summary as a MESSAGE with action `message.summary` (TM2u). Gives its serial.
   */
  annotate(
    annotation: Annotation,
    publication: LivePublication,
    now: number,
    stored?: StoredAnnotation,
  ): WriteOutcome<string>;
}

/**
 * How an annotation of a persisted channel is kept: recorded once `ready` (its message is known
 * and the book holds the message's stored state), then stored before it is shown and ACKed.
 */
export interface StoredAnnotation {
  ready: Promise<void>;
  store(annotation: Annotation, summary: Record<string, unknown> | undefined): Promise<void>;
}

/** What the live writes of one channel need from it. */
export interface LiveWritesOptions {
  channel: string;
  annotations: AnnotationBook;
  fanOut: FanOut;
  /** The channel serial shown so far. */
  shownSerial(): string;
  /** Orders writes after earlier ones are stored; absent for a channel that stores nothing. */
  gate: CommitGate | undefined;
}

/** One annotation as a channel shows it, and the summary of its message after it. */
export interface ShownAnnotation {
  channel: string;
  channelSerial: string;
  timestamp: number;
  pmId: string;
  connectionId: string | undefined;
  annotation: Annotation;
  summary: Record<string, unknown> | undefined;
}

/**
 * Sends an ANNOTATION to annotation subscribers, then, for a summarized type, the message's new
 * summary as a MESSAGE with action `message.summary` (TM2u) to message subscribers.
 */
export function showAnnotation(fanOut: FanOut, shown: ShownAnnotation): void {
  const { channel, channelSerial, timestamp, pmId, summary } = shown;
  const pm = { channel, channelSerial, timestamp };
  fanOut.send(
    createOutboundFrame({
      ...pm,
      action: Action.ANNOTATION,
      id: pmId,
      ...(shown.connectionId !== undefined ? { connectionId: shown.connectionId } : {}),
      annotations: [shown.annotation],
    }),
    Flag.ANNOTATION_SUBSCRIBE,
    undefined,
  );
  if (!summary) return;
  const message: Message = {
    action: MessageAction.SUMMARY,
    serial: shown.annotation.messageSerial!,
    timestamp,
    annotations: { summary },
  };
  fanOut.send(
    createOutboundFrame({
      ...pm,
      action: Action.MESSAGE,
      id: `${pmId}:summary`,
      messages: [message],
    }),
    Flag.SUBSCRIBE,
    undefined,
  );
}

/** Creates the live writes of a channel. */
export function createLiveWrites(options: LiveWritesOptions): LiveWrites {
  const { channel, annotations, fanOut, gate } = options;
  const show = (
    send: (channelSerial: string) => void,
    committed: Promise<void> = Promise.resolve(),
  ): Promise<void> | undefined => {
    const apply = (): void => {
      fanOut.flush();
      send(options.shownSerial());
    };
    if (!gate) return void apply();
    const shown = gate.after(committed, apply);
    shown.catch(() => {});
    return shown;
  };
  // After the shown channel serial, `~` sorting after any message index, and a counter keeping
  // them in order within one position: `<channel serial>:~<n>`.
  let count = 0;
  const nextSerial = (): string =>
    `${options.shownSerial()}:~${(count++ % 36 ** 6).toString(36).padStart(6, '0')}`;

  return {
    publishEphemeral(messages, publication) {
      const serials = messages.map((m) => (m.serial = nextSerial()));
      show((channelSerial) =>
        fanOut.send(
          createOutboundFrame({
            action: Action.MESSAGE,
            channel,
            channelSerial,
            id: publication.pmId,
            connectionId: publication.connectionId,
            timestamp: publication.timestamp,
            messages,
          }),
          Flag.SUBSCRIBE,
          publication.connectionId,
        ),
      );
      return serials;
    },
    annotate(annotation, publication, now, stored) {
      const serial = nextSerial();
      const stamped: Annotation = {
        ...annotation,
        id: annotation.id ?? `${publication.pmId}:0`,
        connectionId: publication.connectionId,
        timestamp: now,
        serial,
      };
      const send = (summary: Record<string, unknown> | undefined) => (channelSerial: string) =>
        showAnnotation(fanOut, {
          channel,
          channelSerial,
          timestamp: now,
          pmId: publication.pmId,
          connectionId: publication.connectionId,
          annotation: stamped,
          summary,
        });
      if (!stored) {
        show(send(annotations.record(stamped)));
        return { result: serial };
      }
      // Recorded in the order annotations arrive (each `ready` follows the previous one), stored,
      // then shown after every earlier write of the channel.
      const committed = stored.ready.then(() => {
        const summary = annotations.record(stamped);
        const written = stored.store(stamped, summary);
        // A write that failed leaves the book ahead of the store: it reads the store again.
        written.catch(() => annotations.forget(stamped.messageSerial!));
        return show(send(summary), written);
      });
      committed.catch(() => {});
      return { result: serial, committed };
    },
  };
}
