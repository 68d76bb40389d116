import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

// A browser test never skips silently: without Chromium it fails here, saying what to install
// (`npm test` installs it first when it can, scripts/ensure-browser.mjs).
if (!existsSync(CHROMIUM)) {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
}

/** Debian's Chromium, headless, with the flags shared/SERVICES.md names. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page serving the official browser bundle on its own origin, so every REST call is cross-origin. */
export function serveAblyPage(): Promise<{ server: Server; url: string }> {
  // The UMD bundle sits next to the package's main entry (the exports map does not list it).
  const ablyMain = createRequire(import.meta.url).resolve('ably');
  const ablyBundle = readFileSync(join(dirname(ablyMain), 'ably.js'), 'utf8');
  const server = createServer((req, res) => {
    if (req.url === '/ably.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(ablyBundle);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>switchboard</title><script src="/ably.js"></script>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }),
    ),
  );
}
