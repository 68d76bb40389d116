import type { UsedNonceRecord, Store } from '../ports/store.js';
import { pruneInBatches } from './prune-in-batches.js';

/**
 * Remembers used TokenRequest nonces per key (RSA9), so a replayed TokenRequest is refused with
 * 40105. Checked in memory; written through to the Store so a restart does not forget them.
 */
export interface NonceCache {
  /**
   * True if the nonce was used before; otherwise marks it used at once, in memory, so a replay
   * racing the store write is refused too.
   */
  seen(keyName: string, nonce: string, now: number): boolean;
  /**
   * Writes a nonce just marked by `seen` to the store. While the store cannot be written the
   * nonce stays marked in memory and is written by a later `persist` or `prune`: token requests
   * go on being redeemed while the database is down, and only a restart inside that outage could
   * forget a nonce. Resolves false when the write was deferred.
   */
  persist(keyName: string, nonce: string, now: number): Promise<boolean>;
  /** Loads the nonces that can still be replayed from the store (at engine start). */
  load(now: number): Promise<void>;
  /** Writes deferred nonces, then forgets nonces too old to matter, in memory and in the store. */
  prune(now: number): Promise<void>;
}

/**
 * Creates a nonce cache that forgets entries older than twice the timestamp window: a TokenRequest
 * is only accepted within `windowMs` of its timestamp, and its nonce was used no earlier than
 * `windowMs` before that timestamp, so an older entry can never be replayed.
 */
export function createNonceCache(store: Store, windowMs: number): NonceCache {
  const retentionMs = 2 * windowMs;
  const entries = new Map<string, number>();
  // Nonces the store refused, oldest first; bounded like the in-memory marks (by age).
  const unwritten = new Map<string, UsedNonceRecord>();
  let lastSweep = 0;
  const writeDeferred = async (): Promise<void> => {
    for (const [id, record] of unwritten) {
      await store.recordNonce(record);
      unwritten.delete(id);
    }
  };
  const sweep = (now: number): void => {
    for (const [k, at] of entries) if (now - at > retentionMs) entries.delete(k);
    for (const [k, r] of unwritten) if (now - r.usedAt > retentionMs) unwritten.delete(k);
    lastSweep = now;
  };
  return {
    seen(keyName, nonce, now) {
      if (now - lastSweep > windowMs) sweep(now);
      const id = `${keyName}\n${nonce}`;
      if (entries.has(id)) return true;
      entries.set(id, now);
      return false;
    },
    async persist(keyName, nonce, now) {
      const record = { keyName, nonce, usedAt: now };
      try {
        if (unwritten.size > 0) await writeDeferred();
        await store.recordNonce(record);
        return true;
      } catch {
        unwritten.set(`${keyName}\n${nonce}`, record);
        return false;
      }
    },
    async load(now) {
      for (const n of await store.listNonces(now - retentionMs)) {
        entries.set(`${n.keyName}\n${n.nonce}`, n.usedAt);
      }
    },
    async prune(now) {
      sweep(now);
      await writeDeferred();
      await pruneInBatches((limit) => store.pruneNonces(now - retentionMs, limit));
    },
  };
}
