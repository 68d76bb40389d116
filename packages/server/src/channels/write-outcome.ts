/** What a write gives back: its result, and for a persisted channel when it is stored. */
export interface WriteOutcome<T> {
  result: T;
  committed?: Promise<void>;
}

/** A write's outcome, or a promise of it when its result comes from the cluster broker. */
export type PendingOutcome<T> = WriteOutcome<T> | Promise<WriteOutcome<T>>;
