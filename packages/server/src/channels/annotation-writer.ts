import type { AnnotationBatch, AnnotationStore } from '../ports/annotation-store.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';

/** One annotation and, when its type is summarized, the message's summary after it. */
export interface AnnotationWrite {
  annotation: AnnotationBatch['annotations'][number];
  summary?: AnnotationBatch['summaries'][number];
}

/** Group commit of persisted channels' annotations: one store transaction per event-loop turn. */
export type AnnotationWriter = GroupCommit<AnnotationWrite>;

/** Creates the writer, batching as the history writer does (see createGroupCommit). */
export function createAnnotationWriter(
  store: AnnotationStore,
  commitIntervalMs = 0,
): AnnotationWriter {
  return createGroupCommit<AnnotationWrite, AnnotationBatch>(
    {
      open: () => ({ annotations: [], summaries: [] }),
      add(batch, record) {
        batch.annotations.push(record.annotation);
        if (record.summary) batch.summaries.push(record.summary);
      },
      store: (batch) => store.appendAnnotations(batch),
    },
    commitIntervalMs,
  );
}
