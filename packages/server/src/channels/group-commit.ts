/** Writes queued together and stored in one transaction. */
export interface GroupCommit<W> {
  /** Queues a write for the next commit; settles when that commit does. */
  write(record: W): Promise<void>;
  /** Resolves once everything queued so far is committed (or has failed). */
  drain(): Promise<void>;
}

/** How one kind of write is gathered into a batch and stored. */
export interface Batching<W, B> {
  open(): B;
  add(batch: B, record: W): void;
  store(batch: B): Promise<void>;
}

/**
 * Group commit: the writes of one event-loop turn (or of `commitIntervalMs`, when set) share a
 * transaction, so a commit's fixed cost (its WAL pages) is shared by more writes, for that much
 * latency. At most one commit is in flight, so commits land in the order writes were queued. A
 * failed commit rejects its own writes only; the next one is tried afresh.
 */
export function createGroupCommit<W, B>(
  batching: Batching<W, B>,
  commitIntervalMs = 0,
): GroupCommit<W> {
  type Settle = { resolve: () => void; reject: (err: unknown) => void };
  let batch = batching.open();
  let settle: Settle[] = [];
  let scheduled = false;
  let inFlight: Promise<void> = Promise.resolve();

  const commit = (): void => {
    scheduled = false;
    const pending = { batch, settle };
    batch = batching.open();
    settle = [];
    if (pending.settle.length === 0) return;
    inFlight = inFlight
      .then(() => batching.store(pending.batch))
      .then(
        () => pending.settle.forEach((s) => s.resolve()),
        (err: unknown) => pending.settle.forEach((s) => s.reject(err)),
      );
  };

  return {
    write(record) {
      batching.add(batch, record);
      const done = new Promise<void>((resolve, reject) => settle.push({ resolve, reject }));
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
