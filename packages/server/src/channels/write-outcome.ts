/** What a write gives back: its result, and for a persisted channel when it is stored. */
export interface WriteOutcome<T> {
  result: T;
  committed?: Promise<void>;
}
