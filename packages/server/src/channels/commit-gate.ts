/**
 * Orders what a persisted channel shows (log, fan-out) after its writes commit: each write's
 * effect runs once its own commit and every earlier write's have settled, so subscribers, history
 * and resumes only ever see stored messages, in sequence order. A failed commit's effect never
 * runs, and later writes go on.
 */
export interface CommitGate {
  /** Runs `apply` after `committed` and all earlier writes; settles as the commit did. */
  after(committed: Promise<void>, apply: () => void): Promise<void>;
}

/** Creates a gate with nothing pending. */
export function createCommitGate(): CommitGate {
  let tail: Promise<void> = Promise.resolve();
  return {
    after(committed, apply) {
      const applied = tail.then(() => committed).then(apply);
      tail = applied.catch(() => {});
      return applied;
    },
  };
}
