import type { Annotation } from '@switchboard/protocol';
import type { AnnotationStore } from '../ports/annotation-store.js';
import type { HistoryStore } from '../ports/history.js';
import type { AnnotationWriter } from './annotation-writer.js';

/** What a persisted channel's annotations need from the store. */
export interface StoredAnnotations {
  /** Stores an annotation (and the message's summary after it) in the next group commit. */
  write(annotation: Annotation, summary: Record<string, unknown> | undefined): Promise<void>;
  /** Whether the channel's store holds an original message at this position. */
  hasMessage(seq: number, index: number): Promise<boolean>;
  /** Every stored annotation of a message, oldest first. */
  load(messageSerial: string): Promise<Annotation[]>;
}

/** Pages read at a time when a message's annotations are replayed into its summary. */
const LOAD_PAGE = 1000;

/** The stored annotations of one persisted channel. */
export function createStoredAnnotations(
  store: HistoryStore & AnnotationStore,
  writer: AnnotationWriter,
  appId: string,
  channel: string,
): StoredAnnotations {
  return {
    write(annotation, summary) {
      const messageSerial = annotation.messageSerial!;
      return writer.write({
        annotation: { appId, channel, messageSerial, annotation },
        ...(summary
          ? {
              summary: {
                appId,
                channel,
                messageSerial,
                summary,
                timestamp: annotation.timestamp ?? 0,
              },
            }
          : {}),
      });
    },
    async hasMessage(seq, index) {
      const [row] = await store.readHistory({
        appId,
        channel,
        kind: 'message',
        backwards: false,
        limit: 1,
        from: { seq, index },
        untilSeq: seq,
        asSent: false,
      });
      return row !== undefined && row.seq === seq && row.index === index;
    },
    async load(messageSerial) {
      const all: Annotation[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listAnnotations({
          appId,
          channel,
          messageSerial,
          limit: LOAD_PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        });
        all.push(...page.items);
        cursor = page.next;
      } while (cursor !== undefined);
      return all;
    },
  };
}
