import { Errors } from '@switchboard/protocol';
import type { AnnotationBook } from './annotation-book.js';
import type { StoredAnnotation } from './live-writes.js';
import type { StoredAnnotations } from './stored-annotations.js';

/** What finding a persisted channel's annotated messages needs. */
export interface AnnotationTargetOptions {
  stored: StoredAnnotations;
  book: AnnotationBook;
  /** Whether the message is an original still in the in-memory log. */
  inLog(serial: string): boolean;
  /** The last sequence number stored before this channel was (re)created. */
  restoredSeq: number;
}

/** Prepares the annotations of a persisted channel, one after another. */
export interface AnnotationTarget {
  /**
   * The annotation's way into the store: `ready` once its message is known to exist (40400
   * otherwise) and the book holds the message's stored annotations; in arrival order.
   */
  next(messageSerial: string, position: { seq: number; index: number }): StoredAnnotation;
}

/**
 * Creates the target finder. A message still in the log needs no read; one older than the log is
 * looked up in the store. The book's state of a message is read from the store when it may miss
 * annotations: the message was published before a restart, or the book has dropped states.
 */
export function annotationTarget(options: AnnotationTargetOptions): AnnotationTarget {
  const { stored, book } = options;
  let chain: Promise<void> = Promise.resolve();

  const prepare = async (serial: string, position: { seq: number; index: number }) => {
    if (book.has(serial)) return;
    const known = options.inLog(serial) || (await stored.hasMessage(position.seq, position.index));
    if (!known) throw Errors.notFound(`No message with serial ${serial}`);
    if (position.seq <= options.restoredSeq || book.evictedAny())
      book.restore(serial, await stored.load(serial));
  };

  return {
    next(messageSerial, position) {
      // Each waits for the previous one: the book records annotations in the order they came.
      const ready = chain.then(() => prepare(messageSerial, position));
      chain = ready.catch(() => {});
      return { ready, store: (annotation, summary) => stored.write(annotation, summary) };
    },
  };
}
