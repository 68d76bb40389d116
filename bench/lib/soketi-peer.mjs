// Soketi lives in its own npm project (bench/peers/soketi, not a workspace: its dependency tree
// is large and only the bench needs it). Its committed package-lock.json pins everything; the
// `overrides` entry there replaces Soketi's git-hosted uWebSockets.js with the registry's
// @trufflesuite/uws-js-unofficial build, which has binaries for Node 20.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const soketiDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'soketi');

/** The one app the bench's Soketi serves; the load client signs private-channel auth with it. */
export const SOKETI_APP = { id: 'bench', key: 'bench-key', secret: 'bench-secret' };

const installed = () =>
  existsSync(join(soketiDir, 'node_modules', '@soketi', 'soketi', 'package.json')) &&
  existsSync(join(soketiDir, 'node_modules', 'uWebSockets.js', 'package.json'));

/**
 * Installs Soketi from the committed lockfile when it is not there yet. Returns undefined when it
 * is ready, or one line saying why it cannot be used.
 * @param {(line: string) => void} log
 */
export function ensureSoketi(log) {
  if (installed()) return undefined;
  log(`bench: installing Soketi into ${soketiDir} (npm ci, about 330 packages, once)…`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: soketiDir,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.error) return `Soketi could not be installed: ${result.error.message}`;
  if (result.status !== 0 || !installed())
    return `Soketi could not be installed (npm ci in bench/peers/soketi exited with ${result.status}); run it by hand to see why`;
  log('bench: Soketi installed');
  return undefined;
}
