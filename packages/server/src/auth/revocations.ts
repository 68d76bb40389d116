/**
 * Token revocation by clientId (RSA17): tokens of a key issued to a clientId before a time are
 * refused with 40141. Kept in memory; a later store table can persist it.
 */
export interface RevocationList {
  revoke(keyName: string, clientId: string, issuedBefore: number): void;
  isRevoked(keyName: string, clientId: string | undefined, issued: number): boolean;
}

/** Creates an empty revocation list. */
export function createRevocationList(): RevocationList {
  const byKey = new Map<string, Map<string, number>>();
  return {
    revoke(keyName, clientId, issuedBefore) {
      let map = byKey.get(keyName);
      if (!map) byKey.set(keyName, (map = new Map()));
      map.set(clientId, Math.max(map.get(clientId) ?? 0, issuedBefore));
    },
    isRevoked(keyName, clientId, issued) {
      if (clientId === undefined) return false;
      const before = byKey.get(keyName)?.get(clientId);
      return before !== undefined && issued < before;
    },
  };
}
