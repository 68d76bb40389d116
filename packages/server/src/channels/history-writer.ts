import type { ChannelPersistence } from './channel.js';
import type { HistoryBatch, HistoryStore } from '../ports/history.js';

/** One write a persisted channel hands over (see ChannelPersistence.write). */
type Write = Parameters<ChannelPersistence['write']>[0];

/** Group commit of persisted channels' writes: one store transaction per event-loop turn. */
export interface HistoryWriter {
  /** Queues a write for the next commit; settles when that commit does. */
  write(record: Write): Promise<void>;
  /** Resolves once everything queued so far is committed (or has failed). */
  drain(): Promise<void>;
}

interface Pending {
  batch: HistoryBatch;
  settle: { resolve: () => void; reject: (err: unknown) => void }[];
}

const emptyBatch = (): Pending => ({ batch: { entries: [], latest: [], states: [] }, settle: [] });

/**
 * Creates the writer. Writes of one turn share a transaction (setImmediate runs after the turn's
 * I/O), and at most one commit is in flight, so commits land in the order writes were queued:
 * what a channel shows after its commits is in sequence order. A failed commit rejects its writes
 * only; the next one is tried afresh.
 */
export function createHistoryWriter(store: HistoryStore): HistoryWriter {
  let open = emptyBatch();
  let scheduled = false;
  let inFlight: Promise<void> = Promise.resolve();

  const commit = (): void => {
    scheduled = false;
    const pending = open;
    open = emptyBatch();
    if (pending.settle.length === 0) return;
    inFlight = inFlight
      .then(() => store.appendHistory(pending.batch))
      .then(
        () => pending.settle.forEach((s) => s.resolve()),
        (err: unknown) => pending.settle.forEach((s) => s.reject(err)),
      );
  };

  return {
    write(record) {
      const { batch } = open;
      batch.entries.push(record.entry);
      if (record.latest) batch.latest.push(record.latest);
      batch.states.push(record.state);
      const done = new Promise<void>((resolve, reject) => open.settle.push({ resolve, reject }));
      // Callers chain on it later (after earlier writes): a failure must not count as unhandled
      // in the meantime, which would stop the process.
      done.catch(() => {});
      if (!scheduled) {
        scheduled = true;
        setImmediate(commit);
      }
      return done;
    },
    async drain() {
      if (scheduled) commit();
      await inFlight;
    },
  };
}
