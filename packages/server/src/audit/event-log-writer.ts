import type { Message } from '@switchboard/protocol';
import type { EventRecord, EventSource } from '../ports/audit-store.js';
import type { Store } from '../ports/store.js';

/** Rows per store call: one transaction, a few milliseconds in SQLite. */
export const EVENT_BATCH = 1000;

/** What the publish path hands over: the stamped messages of one publish, untouched. */
interface Publication {
  appId: string;
  channel: string;
  source: EventSource;
  messages: readonly Message[];
}

/** The audit log's write-behind buffer. */
export interface EventLogWriter {
  /**
   * Queues one audit row per published message (those the channel gave a serial; repeats of an
   * idempotent id have none). Called on the hot path: one push, the rows are built at flush.
   */
  record(appId: string, channel: string, source: EventSource, messages: readonly Message[]): void;
  /** Writes up to EVENT_BATCH rows; resolves true when more are pending. */
  flush(): Promise<boolean>;
  /** Rows waiting to be written. */
  readonly pending: number;
  /** Rows dropped because the store kept failing and the buffer reached its bound. */
  readonly dropped: number;
}

/** Payload bytes, counted as recordInbound counts them for stats. */
function dataBytes(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  return data instanceof Uint8Array ? data.byteLength : 0;
}

function toRows(p: Publication, rows: EventRecord[]): void {
  for (const m of p.messages) {
    if (m.serial === undefined) continue;
    const row: EventRecord = {
      appId: p.appId,
      channel: p.channel,
      serial: m.serial,
      dataBytes: dataBytes(m.data),
      connectionId: m.connectionId ?? '',
      source: p.source,
      timestamp: m.timestamp ?? 0,
    };
    if (m.name !== undefined) row.name = m.name;
    if (m.clientId !== undefined) row.clientId = m.clientId;
    rows.push(row);
  }
}

/**
 * Creates the buffer. `onFull` is told when a batch is ready so it is written without waiting for
 * the period; past `maxBuffered` rows (a store that keeps failing) the oldest are dropped.
 */
export function createEventLogWriter(
  store: Pick<Store, 'appendEvents'>,
  maxBuffered: number,
  onFull: () => void,
): EventLogWriter {
  let buffer: Publication[] = [];
  let pending = 0;
  let dropped = 0;
  const dropOldest = (): void => {
    while (pending > maxBuffered && buffer.length > 0) {
      const n = buffer.shift()!.messages.length;
      pending -= n;
      dropped += n;
    }
  };
  return {
    record(appId, channel, source, messages) {
      buffer.push({ appId, channel, source, messages });
      pending += messages.length;
      if (pending >= EVENT_BATCH) {
        if (pending > maxBuffered) dropOldest();
        onFull();
      }
    },
    async flush() {
      if (buffer.length === 0) return false;
      let take = 0;
      let rowsTaken = 0;
      while (take < buffer.length && rowsTaken < EVENT_BATCH)
        rowsTaken += buffer[take++]!.messages.length;
      const batch = buffer.slice(0, take);
      buffer = buffer.slice(take);
      pending -= rowsTaken;
      const rows: EventRecord[] = [];
      for (const p of batch) toRows(p, rows);
      try {
        if (rows.length > 0) await store.appendEvents(rows);
      } catch (err) {
        // Put the batch back in front, in order, for the next flush (bounded by maxBuffered).
        buffer = batch.concat(buffer);
        pending += rowsTaken;
        dropOldest();
        throw err;
      }
      return buffer.length > 0;
    },
    get pending() {
      return pending;
    },
    get dropped() {
      return dropped;
    },
  };
}
