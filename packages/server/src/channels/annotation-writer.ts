import type { AnnotationBatch, AnnotationStore } from '../ports/annotation-store.js';

/** One annotation and, when its type is summarized, the message's summary after it. */
export interface AnnotationWrite {
  annotation: AnnotationBatch['annotations'][number];
  summary?: AnnotationBatch['summaries'][number];
}

/** Group commit of persisted channels' annotations: one store transaction per event-loop turn. */
export interface AnnotationWriter {
  /** Queues a write for the next commit; settles when that commit does. */
  write(record: AnnotationWrite): Promise<void>;
  /** Resolves once everything queued so far is committed (or has failed). */
  drain(): Promise<void>;
}

interface Pending {
  batch: AnnotationBatch;
  settle: { resolve: () => void; reject: (err: unknown) => void }[];
}

/**
 * Creates the writer, as the history writer batches messages: the annotations of one turn (or of
 * `commitIntervalMs`) share a transaction, at most one commit is in flight so they land in the
 * order they were made, and a failed commit rejects its own writes only.
 */
export function createAnnotationWriter(
  store: AnnotationStore,
  commitIntervalMs = 0,
): AnnotationWriter {
  let open: Pending = { batch: { annotations: [], summaries: [] }, settle: [] };
  let scheduled = false;
  let inFlight: Promise<void> = Promise.resolve();

  const commit = (): void => {
    scheduled = false;
    const pending = open;
    open = { batch: { annotations: [], summaries: [] }, settle: [] };
    if (pending.settle.length === 0) return;
    inFlight = inFlight
      .then(() => store.appendAnnotations(pending.batch))
      .then(
        () => pending.settle.forEach((s) => s.resolve()),
        (err: unknown) => pending.settle.forEach((s) => s.reject(err)),
      );
  };

  return {
    write(record) {
      open.batch.annotations.push(record.annotation);
      if (record.summary) open.batch.summaries.push(record.summary);
      const done = new Promise<void>((resolve, reject) => open.settle.push({ resolve, reject }));
      // Callers chain on it later: a failure must not count as unhandled in the meantime.
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
