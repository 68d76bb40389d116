// Makes sure Debian's Chromium is there for the browser tests, so `npm test` never skips them
// silently: installed with apt-get when this runs as root, otherwise one line says what to do
// (the browser tests then fail with the same line).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (root && hasApt) {
    console.log('switchboard: installing Debian chromium for the browser tests (apt-get)…');
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    if (update.status === 0)
      spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit' });
  }
  if (!existsSync(CHROMIUM)) {
    console.error(
      `switchboard: ${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); the browser tests will fail`,
    );
  }
}
