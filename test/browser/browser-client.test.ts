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

describe('the official ably client in Chromium', () => {
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

  it('connects over JSON with heartbeats, gets a token by authCallback, publishes, subscribes, enters presence and reads history across origins', async () => {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    const result = await tab.evaluate(
      async ({ key, port }) => {
        const Ably = (window as unknown as { Ably: typeof AblyModule }).Ably;
        const common = { endpoint: '127.0.0.1', port, tls: false, disableConnectivityCheck: true };
        const backend = new Ably.Rest({ ...common, key });
        const realtime = new Ably.Realtime({
          ...common,
          authCallback: (_params, cb) => {
            backend.auth.createTokenRequest({ clientId: 'browser-user' }).then(
              (r) => cb(null, r),
              (e) => cb(e, null),
            );
          },
        });
        await realtime.connection.once('connected');
        const channel = realtime.channels.get('conversation:browser');
        const received = new Promise<unknown>((resolve) =>
          channel.subscribe('message:user', (m) => resolve(m.data)),
        );
        await channel.publish('message:user', { text: 'hi from the browser' });
        const data = await received;
        await channel.presence.enter({ status: 'online' });
        const members = await backend.channels.get('conversation:browser').presence.get();
        const history = await backend.channels.get('conversation:browser').history();
        const ping = await realtime.connection.ping();
        realtime.close();
        return {
          data,
          clientId: realtime.auth.clientId,
          members: members.items.map((m) => m.clientId),
          history: history.items.map((m) => m.name),
          ping: typeof ping,
        };
      },
      { key: sb.key, port: sb.port },
    );
    expect(result).toEqual({
      data: { text: 'hi from the browser' },
      clientId: 'browser-user',
      members: ['browser-user'],
      history: ['message:user'],
      ping: 'number',
    });
  }, 60_000);
});
