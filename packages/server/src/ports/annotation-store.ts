import type { Annotation } from '@switchboard/protocol';
import type { StorePage } from './audit-store.js';
import { pruneMap } from './memory-paging.js';

/** One annotation of a persisted channel's message, as published (serial and timestamp set). */
export interface AnnotationRecord {
  appId: string;
  channel: string;
  messageSerial: string;
  annotation: Annotation;
}

/** A message's summary after its latest annotation (TM2u), `{ [type]: summary }`. */
export interface SummaryRecord {
  appId: string;
  channel: string;
  messageSerial: string;
  summary: Record<string, unknown>;
  /** When the annotation that made it was published (ms); pruning goes by it. */
  timestamp: number;
}

/** What one group commit of annotations writes, in one transaction: all of it or none. */
export interface AnnotationBatch {
  annotations: AnnotationRecord[];
  /** Replace the stored summary of each message they name (the last one of a message wins). */
  summaries: SummaryRecord[];
}

/** One page of a message's annotations, oldest first. */
export interface AnnotationQuery {
  appId: string;
  channel: string;
  messageSerial: string;
  limit: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

/**
 * Annotations of persisted channels' messages and the summaries they make: stored before the
 * ACK, so neither is lost on restart, and read back for `annotations.get`, history and
 * `getMessage`.
 */
export interface AnnotationStore {
  /** Writes a group commit in one transaction; rejects (writing nothing) if it cannot. */
  appendAnnotations(batch: AnnotationBatch): Promise<void>;
  /** A message's annotations in the order they were appended. */
  listAnnotations(query: AnnotationQuery): Promise<StorePage<Annotation>>;
  /** The stored summaries of those of the messages that have one, in no particular order. */
  readSummaries(appId: string, channel: string, messageSerials: string[]): Promise<SummaryRecord[]>;
  /**
   * Deletes at most `limit` annotations and summaries from before `before` (as history is pruned,
   * by persistedHistoryRetentionMs); returns how many rows.
   */
  pruneAnnotations(before: number, limit: number): Promise<number>;
}

const keyOf = (appId: string, channel: string, serial: string): string =>
  `${appId}\n${channel}\n${serial}`;

/** A copy of an annotation; binary data stays a Buffer (structuredClone makes it a Uint8Array). */
function copyOf(a: Annotation): Annotation {
  const { data, ...rest } = a;
  const copy = structuredClone(rest) as Annotation;
  if (data !== undefined)
    copy.data = Buffer.isBuffer(data) ? Buffer.from(data) : structuredClone(data);
  return copy;
}

/** The in-memory AnnotationStore: the reference the SQL adapters are held to. */
export function createMemoryAnnotationStore(): AnnotationStore {
  const annotations = new Map<string, Annotation[]>();
  const summaries = new Map<string, SummaryRecord>();
  return {
    async appendAnnotations(batch) {
      for (const r of batch.annotations) {
        const key = keyOf(r.appId, r.channel, r.messageSerial);
        let list = annotations.get(key);
        if (!list) annotations.set(key, (list = []));
        list.push(copyOf(r.annotation));
      }
      for (const s of batch.summaries)
        summaries.set(keyOf(s.appId, s.channel, s.messageSerial), structuredClone(s));
    },
    async listAnnotations(q) {
      const all = annotations.get(keyOf(q.appId, q.channel, q.messageSerial)) ?? [];
      // The cursor is the position after the previous page's last row.
      const start = q.cursor === undefined ? 0 : Number(q.cursor);
      const items = all.slice(start, start + q.limit).map(copyOf);
      const end = start + items.length;
      return end < all.length ? { items, next: String(end) } : { items };
    },
    async pruneAnnotations(before, limit) {
      let deleted = 0;
      for (const [key, list] of annotations) {
        while (deleted < limit && list.length > 0 && (list[0]!.timestamp ?? 0) < before) {
          list.shift();
          deleted++;
        }
        if (list.length === 0) annotations.delete(key);
      }
      return deleted + pruneMap(summaries, (s) => s.timestamp < before, limit - deleted);
    },
    async readSummaries(appId, channel, serials) {
      return serials.flatMap((serial) => {
        const s = summaries.get(keyOf(appId, channel, serial));
        return s ? [structuredClone(s)] : [];
      });
    },
  };
}
