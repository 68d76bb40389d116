import { existsSync } from 'node:fs';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import * as Ably from 'ably';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
// A browser test never skips silently: without Chromium it fails here.
if (!existsSync(CHROMIUM)) {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
}

const SHOTS = new URL('../../docs/images/', import.meta.url).pathname;

function launch(): Promise<Browser> {
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

async function openPage(browser: Browser, port: number): Promise<Page> {
  const tab = await browser.newPage({ viewport: { width: 1100, height: 820 } });
  await tab.goto(`http://127.0.0.1:${port}/dashboard`);
  return tab;
}

/** Waits until the page has refreshed its panels at least once after now. */
async function nextRefresh(tab: Page): Promise<void> {
  const now = Date.now();
  await tab.waitForFunction((t) => Number(document.body.dataset.refreshed ?? 0) > t, now, {
    timeout: 15_000,
  });
}

describe('the dashboard in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  describe('in development mode', () => {
    let sb: TestServer;
    let key: string;
    const clients: Ably.Realtime[] = [];

    beforeAll(async () => {
      // The second key may publish on `allowed` only: its publishes elsewhere are NACKed.
      sb = await startTestServer({ keys: [undefined, { allowed: ['publish'] }] });
      key = sb.switchboard.developmentKey!;
    });

    afterAll(async () => {
      for (const c of clients) c.close();
      await sb?.close();
    });

    function nodeClient(clientId: string): Ably.Realtime {
      const client = new Ably.Realtime({ ...sb.clientOptions('json'), key, clientId });
      clients.push(client);
      return client;
    }

    it('serves the page, its code and ably.js with their content types, and nothing outside its folder', async () => {
      const base = `http://127.0.0.1:${sb.port}/dashboard`;
      const types = await Promise.all(
        ['/', '/main.js', '/dashboard.css', '/ably.js'].map(async (p) => {
          const res = await fetch(base + p);
          await res.arrayBuffer();
          return [res.status, res.headers.get('content-type')];
        }),
      );
      expect(types).toEqual([
        [200, 'text/html; charset=utf-8'],
        [200, 'text/javascript; charset=utf-8'],
        [200, 'text/css; charset=utf-8'],
        [200, 'text/javascript; charset=utf-8'],
      ]);
      for (const p of [
        '/..%2fpackage.json',
        '/..%2fdist%2fmain.js',
        '/%2e%2e%2f%2e%2e%2ftsconfig.json',
      ])
        expect((await fetch(base + p)).status).toBe(404);
      const config = (await (await fetch(`${base}/config`)).json()) as { key: string };
      expect(config).toEqual({ development: true, key });
    });

    it('shows the connection count, a channel with its presence and NACKs by code change while Node clients connect, publish and enter', async () => {
      const tab = await openPage(browser, sb.port);
      await nextRefresh(tab);
      // The page's own console client is connected by now; wait for the count to show it.
      await tab.waitForFunction(
        () => document.getElementById('connections')?.textContent === '1',
        null,
        {
          timeout: 15_000,
        },
      );
      const node = nodeClient('node-user');
      await node.connection.once('connected');
      const orders = node.channels.get('orders');
      await orders.publish('created', { id: 1 });
      await orders.presence.enter({ status: 'online' });
      await tab.waitForFunction(
        () => document.getElementById('connections')?.textContent === '2',
        null,
        {
          timeout: 15_000,
        },
      );
      const row = tab.locator('#channels tr[data-channel="orders"]');
      await row.waitFor({ timeout: 15_000 });
      await tab.waitForFunction(
        () =>
          document
            .querySelector('#channels tr[data-channel="orders"]')
            ?.textContent?.includes('node-user'),
        null,
        { timeout: 15_000 },
      );
      expect(await row.locator('td').allTextContents()).toEqual([
        'orders',
        '1',
        '1',
        '1 (node-user)',
      ]);
      // A little traffic over a few refreshes, so the screenshot's charts have a shape.
      for (let i = 0; i < 3; i++) {
        await Promise.all(
          [1, 2, 3, 4].slice(0, i + 2).map((n) => orders.publish('updated', { id: n })),
        );
        await nextRefresh(tab);
      }
      const limited = new Ably.Realtime({ ...sb.clientOptions('json'), key: sb.keys[1]!.keyStr });
      clients.push(limited);
      await expect(limited.channels.get('forbidden').publish('x', 'no')).rejects.toMatchObject({
        code: 40160,
      });
      await tab.waitForFunction(
        () => document.querySelector('#nacks tbody')?.textContent?.startsWith('40160'),
        null,
        { timeout: 15_000 },
      );
      await tab.screenshot({ path: `${SHOTS}dashboard-overview.png`, fullPage: true });
      await tab.close();
    }, 60_000);

    it('publishes from the live console to a Node subscriber and logs what the watched channel carries', async () => {
      const tab = await openPage(browser, sb.port);
      await nextRefresh(tab);
      const subscriber = nodeClient('node-subscriber');
      const ops = subscriber.channels.get('ops');
      const received = new Promise<Ably.Message>(
        (resolve) => void ops.subscribe('greeting', resolve),
      );
      await ops.attach();
      await tab.fill('#console-channel', 'ops');
      await tab.fill('#console-event', 'greeting');
      await tab.fill('#console-data', 'hi from the console');
      await tab.click('#console button[type=submit]');
      const message = await received;
      expect([message.name, message.data, message.clientId]).toEqual([
        'greeting',
        'hi from the console',
        'dashboard',
      ]);
      await ops.publish('reply', 'hello back from node');
      await tab.waitForFunction(
        () => document.getElementById('console-log')?.textContent?.includes('hello back from node'),
        null,
        { timeout: 15_000 },
      );
      await nextRefresh(tab);
      await tab.screenshot({ path: `${SHOTS}dashboard-console.png`, fullPage: true });
      await tab.close();
    }, 60_000);
  });

  describe('in production mode', () => {
    let sb: TestServer;

    beforeAll(async () => {
      sb = await startTestServer({ production: true, adminSecret: 'ops-secret' });
    });

    afterAll(async () => {
      await sb?.close();
    });

    it('asks for the admin secret and a key, refuses a wrong secret and opens with the right one', async () => {
      expect((await fetch(`http://127.0.0.1:${sb.port}/dashboard/config`)).status).toBe(401);
      const tab = await openPage(browser, sb.port);
      await tab.locator('#login').waitFor({ state: 'visible' });
      await tab.screenshot({ path: `${SHOTS}dashboard-login.png` });
      await tab.fill('#login-secret', 'wrong');
      await tab.fill('#login-key', sb.key);
      await tab.click('#login button[type=submit]');
      await tab.waitForFunction(() => document.getElementById('login-error')?.textContent !== '');
      expect(await tab.locator('#panels').isHidden()).toBe(true);
      await tab.fill('#login-secret', 'ops-secret');
      await tab.click('#login button[type=submit]');
      await tab.locator('#panels').waitFor({ state: 'visible' });
      await nextRefresh(tab);
      expect(await tab.locator('#mode').textContent()).toBe('production');
      await tab.close();
    }, 60_000);
  });
});
