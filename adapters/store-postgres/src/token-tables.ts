import type pg from 'pg';
import type { RevocationRecord, Store, UsedNonceRecord } from '@switchboard/server';
import { fromDb, toDb } from './text-codec.js';

interface RevocationRow {
  key_name: string;
  client_id: string;
  issued_before: number;
  applies_at: number;
}

const REVOCATION_COLUMNS = 'key_name, client_id, issued_before, applies_at';

const revocationOf = (r: RevocationRow): RevocationRecord => ({
  keyName: fromDb(r.key_name),
  clientId: fromDb(r.client_id),
  issuedBefore: r.issued_before,
  appliesAt: r.applies_at,
});

/** Token revocations (RSA17) and used TokenRequest nonces (RSA9). */
export function createTokenTables(
  pool: pg.Pool,
): Pick<
  Store,
  | 'saveRevocation'
  | 'listRevocations'
  | 'pruneRevocations'
  | 'recordNonce'
  | 'listNonces'
  | 'pruneNonces'
> {
  return {
    async saveRevocation(r) {
      await pool.query(
        `INSERT INTO token_revocations (key_name, client_id, issued_before, applies_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (key_name, client_id) DO UPDATE SET
           issued_before = excluded.issued_before, applies_at = excluded.applies_at`,
        [toDb(r.keyName), toDb(r.clientId), r.issuedBefore, r.appliesAt],
      );
    },
    async listRevocations(issuedAfter) {
      const { rows } =
        issuedAfter === undefined
          ? await pool.query<RevocationRow>(`SELECT ${REVOCATION_COLUMNS} FROM token_revocations`)
          : await pool.query<RevocationRow>(
              `SELECT ${REVOCATION_COLUMNS} FROM token_revocations WHERE issued_before > $1`,
              [issuedAfter],
            );
      return rows.map(revocationOf);
    },
    // Deleting through a LIMITed subquery keeps each prune a short transaction.
    pruneRevocations: async (issuedBefore, limit) =>
      (
        await pool.query(
          `DELETE FROM token_revocations WHERE ctid IN
             (SELECT ctid FROM token_revocations WHERE issued_before < $1 LIMIT $2)`,
          [issuedBefore, limit],
        )
      ).rowCount ?? 0,
    async recordNonce(n) {
      await pool.query(
        `INSERT INTO used_nonces (key_name, nonce, used_at) VALUES ($1, $2, $3)
         ON CONFLICT (key_name, nonce) DO UPDATE SET used_at = excluded.used_at`,
        [toDb(n.keyName), toDb(n.nonce), n.usedAt],
      );
    },
    async listNonces(usedSince) {
      const { rows } = await pool.query<{ key_name: string; nonce: string; used_at: number }>(
        'SELECT key_name, nonce, used_at FROM used_nonces WHERE used_at >= $1',
        [usedSince],
      );
      return rows.map((r): UsedNonceRecord => ({
        keyName: fromDb(r.key_name),
        nonce: fromDb(r.nonce),
        usedAt: r.used_at,
      }));
    },
    pruneNonces: async (usedBefore, limit) =>
      (
        await pool.query(
          `DELETE FROM used_nonces WHERE ctid IN
             (SELECT ctid FROM used_nonces WHERE used_at < $1 LIMIT $2)`,
          [usedBefore, limit],
        )
      ).rowCount ?? 0,
  };
}
