import type { Message } from '@switchboard/protocol';
import type { OutboundFrame } from './outbound-frame.js';

/** One published ProtocolMessage as logged: its sequence number, time and stamped messages. */
export interface LogEntry {
  seq: number;
  timestamp: number;
  messages: Message[];
  /** The frame fanned out live, reused for resume replay and rewind. */
  frame: OutboundFrame;
}

/** Retention rules: keep at least N entries and at least T ms, never more than a hard cap. */
export interface Retention {
  minCount: number;
  minAgeMs: number;
  maxCount: number;
}

/** A channel's recent messages, oldest first: the source of history, rewind and resume replay. */
export interface MessageLog {
  append(entry: LogEntry, now: number): void;
  /** Entries with seq greater than `afterSeq`; undefined if the log no longer reaches back that far. */
  since(afterSeq: number): LogEntry[] | undefined;
  /** The entry with this sequence number, if still held. */
  find(seq: number): LogEntry | undefined;
  /** The last `count` entries. */
  last(count: number): LogEntry[];
  entries(): readonly LogEntry[];
  size(): number;
  /** Positions up to `seq` are known to be elsewhere (a replica loaded mid-stream). */
  startAfter(seq: number): void;
}

/**
 * Creates an in-memory log pruned by the retention rules on each append. `startsAfter` is the
 * sequence number the log begins after (a persisted channel restored after a restart), so older
 * positions are known to be elsewhere.
 */
export function createMessageLog(retention: Retention, startsAfter = -1): MessageLog {
  // Slots before `head` are pruned and hold undefined: the array is compacted only now and then,
  // and a pruned entry left in place kept its frame (up to maxMessageSize per publish) alive.
  const items: (LogEntry | undefined)[] = [];
  let head = 0;
  let droppedUpTo = startsAfter;

  const prune = (now: number): void => {
    while (items.length - head > retention.minCount) {
      const oldest = items[head]!;
      const tooMany = items.length - head > retention.maxCount;
      if (!tooMany && now - oldest.timestamp < retention.minAgeMs) break;
      droppedUpTo = oldest.seq;
      items[head++] = undefined;
    }
    if (head > 1024 && head * 2 > items.length) {
      items.splice(0, head);
      head = 0;
    }
  };

  return {
    append(entry, now) {
      items.push(entry);
      prune(now);
    },
    find(seq) {
      let lo = head;
      let hi = items.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const s = items[mid]!.seq;
        if (s === seq) return items[mid];
        if (s < seq) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    },
    since(afterSeq) {
      if (afterSeq < droppedUpTo) return undefined;
      const result: LogEntry[] = [];
      for (let i = items.length - 1; i >= head; i--) {
        const e = items[i]!;
        if (e.seq <= afterSeq) break;
        result.push(e);
      }
      return result.reverse();
    },
    last(count) {
      return items.slice(Math.max(head, items.length - count)) as LogEntry[];
    },
    entries: () => items.slice(head) as LogEntry[],
    size: () => items.length - head,
    startAfter(seq) {
      droppedUpTo = Math.max(droppedUpTo, seq);
    },
  };
}
