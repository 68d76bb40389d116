import type { Annotation } from '@switchboard/protocol';
import { createMessageSummary, type MessageSummary } from './annotation-summary.js';

/**
 * A channel's annotations, by the serial of the message they annotate: the raw events in order
 * (for `annotations.get`, RSAN3) and the running summary (TM8a). Bounded: past `maxAnnotations`
 * raw events the oldest messages' raw events go first, and summaries are kept for at most that
 * many messages.
 */
export interface AnnotationBook {
  /** Records an annotation; gives the message's summary after it, if its type is summarized. */
  record(annotation: Annotation): Record<string, unknown> | undefined;
  /** The raw annotations of a message, oldest first. */
  list(messageSerial: string): readonly Annotation[];
  /** The message's current summary, if any annotation of a summarized type was recorded. */
  summary(messageSerial: string): Record<string, unknown> | undefined;
  /** Whether the book holds the message's summary state. */
  has(messageSerial: string): boolean;
  /**
   * Rebuilds a message's state from its stored annotations (a persisted channel after a restart,
   * or past the book's bound), replacing what the book held of it.
   */
  restore(messageSerial: string, stored: readonly Annotation[]): void;
  /** Drops what the book holds of a message (its stored state is the truth, e.g. after a failed write). */
  forget(messageSerial: string): void;
  /** Whether the book ever dropped a message's summary state (its bound, or `forget`). */
  evictedAny(): boolean;
}

/** Creates an empty book. */
export function createAnnotationBook(maxAnnotations: number): AnnotationBook {
  const raw = new Map<string, Annotation[]>();
  const summaries = new Map<string, MessageSummary>();
  let rawCount = 0;
  let evicted = false;

  const trim = (): void => {
    for (const [serial, list] of raw) {
      if (rawCount <= maxAnnotations) break;
      rawCount -= list.length;
      raw.delete(serial);
    }
    while (summaries.size > maxAnnotations) {
      const oldest = summaries.keys().next().value!;
      summaries.delete(oldest);
      evicted = true;
    }
  };

  const drop = (serial: string): void => {
    rawCount -= raw.get(serial)?.length ?? 0;
    raw.delete(serial);
    summaries.delete(serial);
  };

  return {
    record(annotation) {
      const serial = annotation.messageSerial!;
      let list = raw.get(serial);
      if (!list) raw.set(serial, (list = []));
      list.push(annotation);
      rawCount += 1;
      let summary = summaries.get(serial);
      const fresh = !summary;
      summary ??= createMessageSummary();
      const summarized = summary.apply(annotation);
      if (summarized && fresh) summaries.set(serial, summary);
      trim();
      return summarized ? summary.summary() : undefined;
    },
    list: (messageSerial) => raw.get(messageSerial) ?? [],
    summary: (messageSerial) => summaries.get(messageSerial)?.summary(),
    has: (messageSerial) => summaries.has(messageSerial),
    restore(messageSerial, stored) {
      drop(messageSerial);
      const summary = createMessageSummary();
      let summarized = false;
      for (const annotation of stored) summarized = summary.apply(annotation) || summarized;
      // Unsummarized types are not kept: `has` stays false and the next write reads them again.
      if (summarized) summaries.set(messageSerial, summary);
      raw.set(messageSerial, [...stored]);
      rawCount += stored.length;
      trim();
    },
    forget(messageSerial) {
      drop(messageSerial);
      // What the book no longer holds is read from the store again.
      evicted = true;
    },
    evictedAny: () => evicted,
  };
}
