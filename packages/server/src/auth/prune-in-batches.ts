/** Rows deleted per store call when pruning: small, so no single call holds the store for long. */
export const PRUNE_BATCH = 500;

/**
 * Calls `prune(limit)` until it deletes fewer than a batch, yielding to the event loop between
 * batches so a large backlog (after a long downtime) never stalls other work.
 */
export async function pruneInBatches(prune: (limit: number) => Promise<number>): Promise<void> {
  while ((await prune(PRUNE_BATCH)) >= PRUNE_BATCH) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
