import type { RevocationShare } from '../ports/broker.js';
import type { RevocationRecord, Store } from '../ports/store.js';
import { pruneInBatches } from './prune-in-batches.js';

/**
 * Token revocation by clientId (RSA17): tokens of a key issued to a clientId before a time are
 * refused with 40141 from `appliesAt` on. Checked in memory (authentication is synchronous);
 * written through to the Store so a restart does not make a revoked token valid again.
 */
export interface RevocationList {
  /**
   * Applies a revocation at once, in memory, and returns the write to the store, so the caller
   * can answer only once the revocation is durable.
   */
  revoke(keyName: string, clientId: string, issuedBefore: number, appliesAt: number): Promise<void>;
  /** Applies a revocation another node made (already durable there), in memory only. */
  remember(record: RevocationRecord): void;
  isRevoked(keyName: string, clientId: string | undefined, issued: number, now: number): boolean;
  /** Loads the revocations that can still matter from the store (at engine start); returns them. */
  load(now: number): Promise<RevocationRecord[]>;
  /** Forgets revocations that can no longer matter, in memory and in the store. */
  prune(now: number): Promise<void>;
}

/** How long `allowReauthMargin` delays a revocation, so clients can fetch new tokens first. */
export const REAUTH_MARGIN_MS = 30_000;

/**
 * Creates a revocation list over a store. A revocation matters while a token issued before its
 * `issuedBefore` can still be alive: tokens live at most `maxTokenTtlMs`, so once `issuedBefore`
 * is older than that, every token it covers has expired. On a cluster (`share`), a revocation is
 * also handed to every other node, and a starting node reads those the others made.
 */
export function createRevocationList(
  store: Store,
  maxTokenTtlMs: number,
  share?: RevocationShare,
): RevocationList {
  const byKey = new Map<string, Map<string, { issuedBefore: number; appliesAt: number }>>();
  const set = (r: RevocationRecord): void => {
    let map = byKey.get(r.keyName);
    if (!map) byKey.set(r.keyName, (map = new Map()));
    map.set(r.clientId, { issuedBefore: r.issuedBefore, appliesAt: r.appliesAt });
  };
  const merge = (r: RevocationRecord): RevocationRecord => {
    const previous = byKey.get(r.keyName)?.get(r.clientId);
    const merged = {
      keyName: r.keyName,
      clientId: r.clientId,
      issuedBefore: Math.max(previous?.issuedBefore ?? 0, r.issuedBefore),
      appliesAt: Math.min(previous?.appliesAt ?? Infinity, r.appliesAt),
    };
    set(merged);
    return merged;
  };
  return {
    revoke(keyName, clientId, issuedBefore, appliesAt) {
      const merged = merge({ keyName, clientId, issuedBefore, appliesAt });
      const saved = store.saveRevocation(merged);
      return share ? Promise.all([saved, share.announce(merged)]).then(() => {}) : saved;
    },
    remember: (record) => void merge(record),
    isRevoked(keyName, clientId, issued, now) {
      if (clientId === undefined) return false;
      const entry = byKey.get(keyName)?.get(clientId);
      return entry !== undefined && issued < entry.issuedBefore && now >= entry.appliesAt;
    },
    async load(now) {
      const loaded = await store.listRevocations(now - maxTokenTtlMs);
      const shared = share ? await share.list(now - maxTokenTtlMs) : [];
      return [...loaded, ...shared].map(merge);
    },
    async prune(now) {
      const horizon = now - maxTokenTtlMs;
      for (const [keyName, map] of byKey) {
        for (const [clientId, entry] of map) if (entry.issuedBefore < horizon) map.delete(clientId);
        if (map.size === 0) byKey.delete(keyName);
      }
      await pruneInBatches((limit) => store.pruneRevocations(horizon, limit));
    },
  };
}
