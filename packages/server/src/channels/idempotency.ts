/** What an idempotency check finds (RSL1k): a new id, or a repeat and its original's commit. */
export type IdCheck = { seen: false } | { seen: true; original?: Promise<void> };

/**
 * Client-supplied message ids seen on a channel inside the idempotency window. A repeat is
 * acknowledged without being published again; while its original waits for its commit, the repeat
 * is answered as the original will be, and an original that fails to be stored is forgotten, so
 * a retry is stored rather than acknowledged unstored.
 */
export interface IdempotencyWindow {
  check(id: string, now: number): IdCheck;
  /** Ties ids just recorded to the commit of the write that carries them. */
  awaitCommit(ids: readonly string[], committed: Promise<void>): void;
}

/** Creates a window; `seed` restores ids stored before a restart (id → publish time). */
export function createIdempotencyWindow(
  windowMs: number,
  seed: Iterable<readonly [string, number]> = [],
): IdempotencyWindow {
  const seen = new Map<string, { at: number; original?: Promise<void> }>();
  for (const [id, at] of seed) seen.set(id, { at });
  return {
    check(id, now) {
      const entry = seen.get(id);
      if (entry !== undefined && now - entry.at < windowMs) {
        return entry.original ? { seen: true, original: entry.original } : { seen: true };
      }
      if (seen.size > 10_000) {
        for (const [k, e] of seen) if (now - e.at >= windowMs && !e.original) seen.delete(k);
      }
      seen.set(id, { at: now });
      return { seen: false };
    },
    awaitCommit(ids, committed) {
      const entries = ids.flatMap((id) => {
        const entry = seen.get(id);
        return entry ? [[id, entry] as const] : [];
      });
      for (const [, entry] of entries) entry.original = committed;
      committed.then(
        () => entries.forEach(([, entry]) => delete entry.original),
        () => entries.forEach(([id, entry]) => seen.get(id) === entry && seen.delete(id)),
      );
    },
  };
}
