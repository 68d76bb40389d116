import { randomBytes } from 'node:crypto';

/** A random URL-safe id with no `:` (connection ids and keys must not contain one). */
export function randomId(bytes = 9): string {
  return randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
}

/** A random secret for API keys: base64url without `.`, `:` or whitespace. */
export function randomSecret(): string {
  return randomBytes(24).toString('base64url').replace(/[-_]/g, 'z');
}
