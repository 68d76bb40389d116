// Installs dependencies when they are missing or older than the lockfile, so that
// `npm start` and `npm test` work on a fresh clone with no separate install step.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const lock = 'package-lock.json';
const stale =
  !existsSync(marker) ||
  (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);

if (stale) {
  // `npm install` rather than `npm ci`: it follows the lockfile too, and this npm writes lockfiles
  // that list platform-specific optional packages for this platform only, which `npm ci` rejects.
  console.log('switchboard: installing dependencies (npm install)…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
