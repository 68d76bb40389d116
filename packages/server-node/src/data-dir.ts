import { chmodSync, mkdirSync, statSync } from 'node:fs';

/**
 * Makes sure the data directory exists and only its owner may enter it: it holds the database
 * with every key secret. A directory left looser (e.g. 0755 by an older version) is tightened.
 */
export function preparePrivateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const current = statSync(dataDir).mode & 0o777;
  if (current & 0o077) chmodSync(dataDir, current & 0o700);
}
