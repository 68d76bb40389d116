import type Database from 'better-sqlite3';
import type { RevocationRecord, Store, UsedNonceRecord } from '@switchboard/server';

/** Token revocations (RSA17) and used TokenRequest nonces (RSA9). */
export function createTokenTables(
  db: Database.Database,
): Pick<
  Store,
  | 'saveRevocation'
  | 'listRevocations'
  | 'pruneRevocations'
  | 'recordNonce'
  | 'listNonces'
  | 'pruneNonces'
> {
  const revocationColumns =
    'key_name AS keyName, client_id AS clientId, issued_before AS issuedBefore, applies_at AS appliesAt';
  const saveRevocation = db.prepare(
    `INSERT INTO token_revocations (key_name, client_id, issued_before, applies_at)
     VALUES (@keyName, @clientId, @issuedBefore, @appliesAt)
     ON CONFLICT(key_name, client_id) DO UPDATE SET
       issued_before = excluded.issued_before, applies_at = excluded.applies_at`,
  );
  const allRevocations = db.prepare(`SELECT ${revocationColumns} FROM token_revocations`);
  const revocationsAfter = db.prepare(
    `SELECT ${revocationColumns} FROM token_revocations WHERE issued_before > ?`,
  );
  // Deleting by rowid through a LIMITed subquery keeps each prune a short transaction.
  const pruneRevocations = db.prepare(
    `DELETE FROM token_revocations WHERE rowid IN
       (SELECT rowid FROM token_revocations WHERE issued_before < ? LIMIT ?)`,
  );
  const recordNonce = db.prepare(
    `INSERT INTO used_nonces (key_name, nonce, used_at) VALUES (@keyName, @nonce, @usedAt)
     ON CONFLICT(key_name, nonce) DO UPDATE SET used_at = excluded.used_at`,
  );
  const noncesSince = db.prepare(
    'SELECT key_name AS keyName, nonce, used_at AS usedAt FROM used_nonces WHERE used_at >= ?',
  );
  const pruneNonces = db.prepare(
    `DELETE FROM used_nonces WHERE rowid IN
       (SELECT rowid FROM used_nonces WHERE used_at < ? LIMIT ?)`,
  );
  return {
    saveRevocation: async (r) => void saveRevocation.run(r),
    listRevocations: async (issuedAfter) =>
      (issuedAfter === undefined
        ? allRevocations.all()
        : revocationsAfter.all(issuedAfter)) as RevocationRecord[],
    pruneRevocations: async (issuedBefore, limit) =>
      pruneRevocations.run(issuedBefore, limit).changes,
    recordNonce: async (n) => void recordNonce.run(n),
    listNonces: async (usedSince) => noncesSince.all(usedSince) as UsedNonceRecord[],
    pruneNonces: async (usedBefore, limit) => pruneNonces.run(usedBefore, limit).changes,
  };
}
