import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import * as Ably from 'ably';
import { type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

const PAGE_SOURCE = new URL('./ably-react-page/', import.meta.url).pathname;

/**
 * Serves the built page and a token endpoint on its own origin: every call the page makes to
 * Switchboard is cross-origin, as for any app.
 */
function servePage(dir: string, rest: Ably.Rest): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/token') {
      rest.auth
        .createTokenRequest({
          clientId: url.searchParams.get('clientId') ?? '',
          capability: { 'room:react': ['subscribe', 'publish', 'presence'] },
        })
        .then(
          (tokenRequest) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(tokenRequest));
          },
          () => res.writeHead(500).end(),
        );
      return;
    }
    const file = join(dir, url.pathname === '/' ? 'index.html' : url.pathname);
    readFile(file).then(
      (body) => {
        const type = extname(file) === '.js' ? 'text/javascript' : 'text/html';
        res.writeHead(200, { 'content-type': type });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }),
    ),
  );
}

describe('the official ably/react hooks against Switchboard in Chromium', () => {
  let sb: TestServer;
  let outDir: string;
  let page: { server: Server; url: string };
  let browser: Browser;

  beforeAll(async () => {
    sb = await startTestServer();
    outDir = mkdtempSync(join(tmpdir(), 'ably-react-page-'));
    await build({
      configFile: false,
      root: PAGE_SOURCE,
      logLevel: 'warn',
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1024 },
    });
    page = await servePage(outDir, new Ably.Rest({ ...sb.clientOptions('json'), key: sb.key }));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    page?.server.close();
    await sb?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function open(clientId: string): Promise<Page> {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${page.url}?clientId=${clientId}&port=${sb.port}`);
    return tab;
  }

  const listed = (tab: Page, list: 'members' | 'messages') =>
    tab.locator(`#${list} li`).allTextContents();

  it('AblyProvider, ChannelProvider, useChannel, usePresence and usePresenceListener work under StrictMode in two contexts', async () => {
    const ann = await open('ann');
    const ben = await open('ben');
    // usePresence entered each; usePresenceListener shows both, on both pages.
    for (const tab of [ann, ben])
      await expect.poll(() => listed(tab, 'members')).toEqual(['ann (hello)', 'ben (hello)']);

    // useChannel's publish reaches the other page (and echoes to its own).
    await ann.locator('#send').click();
    for (const tab of [ann, ben])
      await expect.poll(() => listed(tab, 'messages')).toEqual(['ann: hi from ann']);

    // A backend's REST publish reaches both subscribers.
    const rest = new Ably.Rest({ ...sb.clientOptions('json'), key: sb.key });
    await rest.channels.get('room:react').publish('notice', 'from the backend');
    await expect
      .poll(() => listed(ben, 'messages'))
      .toEqual(['ann: hi from ann', 'server: from the backend']);

    // usePresence's updateStatus is an update the listener on the other page sees.
    await ann.locator('#mood').click();
    await expect.poll(() => listed(ben, 'members')).toEqual(['ann (happy)', 'ben (hello)']);
    // StrictMode's double mount entered each member once: the server's set agrees.
    const members = await rest.channels.get('room:react').presence.get();
    expect(members.items.map((m) => m.clientId).sort()).toEqual(['ann', 'ben']);

    // Ann navigates away: the client closes on unload, so she leaves at once (not after grace).
    await ann.goto('about:blank');
    await expect.poll(() => listed(ben, 'members')).toEqual(['ben (hello)']);
  }, 60_000);
});
