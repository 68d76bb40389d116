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
  /** One serial state per channel: the last write's, which is the highest. */
  states: Map<string, HistoryBatch['states'][number]>;
  settle: { resolve: () => void; reject: (err: unknown) => void }[];
}

const emptyBatch = (): Pending => ({
  batch: { entries: [], latest: [], states: [] },
  states: new Map(),
  settle: [],
});

/**
 * Creates the writer. Writes of one turn (or of `commitIntervalMs`, when set) share a transaction:
 * a commit's fixed cost (its WAL pages) is shared by more messages, for that much latency. At
 * most one commit is in flight, so commits land in the order writes were queued:
 * what a channel shows after its commits is in sequence order. A failed commit rejects its writes
 * only; the next one is tried afresh.
 */
export function createHistoryWriter(store: HistoryStore, commitIntervalMs = 0): HistoryWriter {
  let open = emptyBatch();
  let scheduled = false;
  let inFlight: Promise<void> = Promise.resolve();

  const commit = (): void => {
    scheduled = false;
    const pending = open;
    open = emptyBatch();
    if (pending.settle.length === 0) return;
    pending.batch.states = [...pending.states.values()];
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
      open.states.set(`${record.state.appId}\n${record.state.channel}`, record.state);
      const done = new Promise<void>((resolve, reject) => open.settle.push({ resolve, reject }));
      // Callers chain on it later (after earlier writes): a failure must not count as unhandled
      // in the meantime, which would stop the process.
      done.catch(() => {});
      if (!scheduled) {
        scheduled = true;
        if (commitIntervalMs > 0) setTimeout(commit, commitIntervalMs);
        else setImmediate(commit);
      }
      return done;
    },
    async drain() {
      if (scheduled) commit();
      await inFlight;
    },
  };
}
