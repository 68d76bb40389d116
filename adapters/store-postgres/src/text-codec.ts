/**
 * PostgreSQL text (and jsonb) cannot hold U+0000, which the protocol allows in names, client ids,
 * channel names and string data. Every client-given string goes through `toDb` on the way in and
 * `fromDb` on the way out: NUL becomes U+FFFF `0` and U+FFFF itself becomes U+FFFF `1`. The code
 * is injective and maps each character on its own, so equality, prefixes and lookups still work
 * on the stored form, and strings without either character (all real ones) are stored as they are,
 * readable by anyone querying the tables. Without it one such string would fail a whole batch.
 */
const ESCAPE = '\uffff';
const NUL = '\u0000';
const ESCAPED = /\uffff([01])/g;

/** The stored form of a string (see the module comment). */
export function toDb(value: string): string {
  if (!value.includes(NUL) && !value.includes(ESCAPE)) return value;
  // The escape character first, so the escapes made for NUL are not escaped again.
  return value.replaceAll(ESCAPE, `${ESCAPE}1`).replaceAll(NUL, `${ESCAPE}0`);
}

/** The string a stored form came from. */
export function fromDb(value: string): string {
  if (!value.includes(ESCAPE)) return value;
  return value.replace(ESCAPED, (_, code: string) => (code === '0' ? NUL : ESCAPE));
}

/** `toDb` for an optional string, SQL NULL for absent. */
export function toDbOrNull(value: string | undefined): string | null {
  return value === undefined ? null : toDb(value);
}
