import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import type * as AblyModule from 'ably';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
// `npm test` installs it first when it can (scripts/ensure-browser.mjs); a browser test never
// skips silently.
if (!existsSync(CHROMIUM)) {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
}

// The browser UMD bundle sits next to the package's main entry (the exports map does not list it).
const ablyMain = createRequire(import.meta.url).resolve('ably');
const ablyBundle = readFileSync(join(dirname(ablyMain), 'ably.js'), 'utf8');

/** A page on its own origin, so every REST call the browser makes to Switchboard is cross-origin. */
function servePage(): Promise<{ server: Server; url: string }> {
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

describe('the official ably browser bundle in Chromium without WebSockets', () => {
  let sb: TestServer;
  let page: { server: Server; url: string };
  let browser: Browser;

  beforeAll(async () => {
    sb = await startTestServer();
    page = await servePage();
    browser = await chromium.launch({
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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    page?.server.close();
    await sb?.close();
  });

  it('connects over xhr_polling (comet long-polls), subscribes, publishes, enters presence, closes', async () => {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    const result = await tab.evaluate(
      async ({ key, port }) => {
        const Ably = (window as unknown as { Ably: typeof AblyModule }).Ably;
        const common = { endpoint: '127.0.0.1', port, tls: false, disableConnectivityCheck: true };
        const backend = new Ably.Rest({ ...common, key });
        const realtime = new Ably.Realtime({
          ...common,
          clientId: 'polling-user',
          key,
          transports: ['xhr_polling'],
        });
        await realtime.connection.once('connected');
        // ably-js's private view of the transport carrying the connection.
        const manager = (
          realtime.connection as unknown as {
            connectionManager: { activeProtocol: { getTransport(): { shortName: string } } };
          }
        ).connectionManager;
        const transport = manager.activeProtocol.getTransport().shortName;
        const channel = realtime.channels.get('polling:browser');
        const got: unknown[] = [];
        const three = new Promise<void>((resolve) =>
          channel.subscribe((m) => {
            got.push(m.data);
            if (got.length === 3) resolve();
          }),
        );
        await channel.publish('own', 'from the page');
        await backend.channels.get('polling:browser').publish('rest', { n: 2 });
        await channel.publish('own', 'third');
        await three;
        await channel.presence.enter('polling');
        const members = await backend.channels.get('polling:browser').presence.get();
        realtime.close();
        await realtime.connection.once('closed');
        return {
          transport,
          got,
          members: members.items.map((m) => m.clientId),
        };
      },
      { key: sb.key, port: sb.port },
    );
    expect(result).toEqual({
      transport: 'xhr_polling',
      got: ['from the page', { n: 2 }, 'third'],
      members: ['polling-user'],
    });
  }, 60_000);
});
