/**
 * Token revocation by clientId (RSA17): tokens of a key issued to a clientId before a time are
 * refused with 40141 from `appliesAt` on. Kept in memory; a later store table can persist it.
 */
export interface RevocationList {
  revoke(keyName: string, clientId: string, issuedBefore: number, appliesAt: number): void;
  isRevoked(keyName: string, clientId: string | undefined, issued: number, now: number): boolean;
}

/** How long `allowReauthMargin` delays a revocation, so clients can fetch new tokens first. */
export const REAUTH_MARGIN_MS = 30_000;

/** Creates an empty revocation list. */
export function createRevocationList(): RevocationList {
  const byKey = new Map<string, Map<string, { issuedBefore: number; appliesAt: number }>>();
  return {
    revoke(keyName, clientId, issuedBefore, appliesAt) {
      let map = byKey.get(keyName);
      if (!map) byKey.set(keyName, (map = new Map()));
      const previous = map.get(clientId);
      map.set(clientId, {
        issuedBefore: Math.max(previous?.issuedBefore ?? 0, issuedBefore),
        appliesAt: Math.min(previous?.appliesAt ?? Infinity, appliesAt),
      });
    },
    isRevoked(keyName, clientId, issued, now) {
      if (clientId === undefined) return false;
      const entry = byKey.get(keyName)?.get(clientId);
      return entry !== undefined && issued < entry.issuedBefore && now >= entry.appliesAt;
    },
  };
}
