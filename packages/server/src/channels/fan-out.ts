import { Action, Flag } from '@switchboard/protocol';
import type { LogEntry } from './message-log.js';
import { createOutboundFrame, type OutboundFrame } from './outbound-frame.js';

/** A connection's presence on a channel, as the channel sees it (implemented by the connection). */
export interface Subscriber {
  readonly connectionId: string;
  /** Whether this connection wants its own messages back (`echo`). */
  readonly echo: boolean;
  /** Granted mode bits for this attachment. */
  readonly modes: number;
  /** False while a resumed connection waits for its re-ATTACH (live frames would be dropped). */
  readonly live: boolean;
  /** The channel sequence its attach covered (by ATTACHED or its backlog); live delivery starts after it. */
  readonly liveFromSeq: number;
  send(frame: OutboundFrame): void;
}

/** How a channel hands its frames to its subscribers. */
export interface FanOut {
  /** Sends one frame now to every live subscriber with the mode (echo rules applied). */
  send(frame: OutboundFrame, modeBit: number, publisher: string | undefined): void;
  /** Queues a logged entry for the next bundle. */
  enqueue(entry: LogEntry, publisher: string): void;
  /** Sends what is queued now (before anything that must follow it). */
  flush(): void;
}

/** What the fan-out of one channel needs. */
export interface FanOutOptions {
  channel: string;
  subscribers: Set<Subscriber>;
  serialOf(seq: number): string;
  /** Told how many deliveries a flush made, and when the oldest message in it was published. */
  onDelivered?: (deliveries: number, publishedAt: number) => void;
  /** Entries are queued from a commit (a persisted channel) rather than while reading frames. */
  afterCommit: boolean;
}

/**
 * Creates a channel's fan-out. Messages published in one event-loop turn leave as one
 * ProtocolMessage per channel (the protocol allows several messages per MESSAGE), so a burst
 * costs one frame per subscriber.
 */
export function createFanOut(options: FanOutOptions): FanOut {
  const { subscribers, serialOf } = options;
  const fanOut = (frame: OutboundFrame, modeBit: number, publisher: string | undefined): void => {
    for (const sub of subscribers) {
      if (!sub.live || (sub.modes & modeBit) === 0) continue;
      if (!sub.echo && sub.connectionId === publisher) continue;
      sub.send(frame);
    }
  };

  let pending: { entry: LogEntry; publisher: string }[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    let sent = 0;
    if (batch.length === 1) {
      const only = batch[0]!;
      for (const sub of subscribers) {
        if (sub.liveFromSeq < only.entry.seq) {
          if (
            sub.live &&
            sub.modes & Flag.SUBSCRIBE &&
            (sub.echo || sub.connectionId !== only.publisher)
          ) {
            sub.send(only.entry.frame);
            sent += only.entry.messages.length;
          }
        }
      }
      options.onDelivered?.(sent, only.entry.timestamp);
      return;
    }
    const firstSeq = batch[0]!.entry.seq;
    const last = batch[batch.length - 1]!.entry;
    const publishers = new Set(batch.map((b) => b.publisher));
    const bundle = createOutboundFrame({
      action: Action.MESSAGE,
      channel: options.channel,
      channelSerial: serialOf(last.seq),
      timestamp: last.timestamp,
      messages: batch.flatMap((b) => b.entry.messages),
    });
    for (const sub of subscribers) {
      if (!sub.live || (sub.modes & Flag.SUBSCRIBE) === 0) continue;
      if (sub.liveFromSeq < firstSeq && (sub.echo || !publishers.has(sub.connectionId))) {
        sub.send(bundle);
        sent += bundle.pm.messages!.length;
        continue;
      }
      // Attached mid-batch, or must not see its own messages: send its share entry by entry.
      for (const b of batch) {
        if (b.entry.seq > sub.liveFromSeq && (sub.echo || b.publisher !== sub.connectionId)) {
          sub.send(b.entry.frame);
          sent += b.entry.messages.length;
        }
      }
    }
    options.onDelivered?.(sent, batch[0]!.entry.timestamp);
  };
  // A persisted channel shows its writes from a commit, which already runs after the turn's
  // reads: flushing once the commit's promise chains are done (nextTick runs after them), not a
  // loop iteration later, keeps its latency down and still bundles the commit's messages.
  const enqueue = (entry: LogEntry, publisher: string): void => {
    pending.push({ entry, publisher });
    if (!flushScheduled) {
      flushScheduled = true;
      if (options.afterCommit) process.nextTick(flush);
      else setImmediate(flush);
    }
  };

  return { send: fanOut, enqueue, flush };
}
