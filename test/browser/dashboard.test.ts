import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import * as Ably from 'ably';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type WebhookReceiver } from '../e2e/webhook-receiver.js';
import { launchChromium } from './chromium.js';

// The screenshots shown in docs/dashboard.md are rewritten only on request
// (SWITCHBOARD_SCREENSHOTS=1), so `npm test` leaves the git tree unchanged; otherwise they are
// still taken, into a temporary folder.
const SHOTS = process.env.SWITCHBOARD_SCREENSHOTS
  ? new URL('../../docs/images/', import.meta.url).pathname
  : `${mkdtempSync(join(tmpdir(), 'dashboard-shots-'))}/`;

function launch(): Promise<Browser> {
  return launchChromium();
}

async function openPage(browser: Browser, port: number): Promise<Page> {
  const tab = await browser.newPage({
    viewport: { width: 1100, height: 820 },
    // The apps panel copies client snippets; the test reads the clipboard back.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
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
    if (!process.env.SWITCHBOARD_SCREENSHOTS) rmSync(SHOTS, { recursive: true, force: true });
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
      // The operator panels work with the admin secret the page logged in with.
      await tab.locator(`#keys tr[data-key="${sb.keys[0]!.keyName}"]`).waitFor({ timeout: 15_000 });
      await tab.locator('#audit-position').filter({ hasText: 'Page 1' }).waitFor();
      await tab.close();
    }, 60_000);
  });

  describe('the operator panels (development mode)', () => {
    let sb: TestServer;
    let receiver: WebhookReceiver;
    let failing: WebhookReceiver;
    const clients: { close(): void }[] = [];
    // The page opens with the development app's key (from /dashboard/config): its app is shown.
    let devKey: string;
    let devApp: string;

    beforeAll(async () => {
      receiver = await startReceiver();
      failing = await startReceiver();
      failing.mode = 'fail';
      sb = await startTestServer({
        limits: {
          webhookBatchMs: 50,
          webhookOutboxPollMs: 50,
          webhookRetryBaseMs: 100,
          webhookRetryMaxMs: 200,
          webhookMaxAttempts: 2,
          webhookPauseAfterFailures: 2,
        },
      });
      devKey = sb.switchboard.developmentKey!;
      devApp = devKey.slice(0, devKey.indexOf('.'));
    });

    afterAll(async () => {
      for (const c of clients) c.close();
      await sb?.close();
      await receiver?.down();
      await failing?.down();
    });

    function track<T extends { close(): void }>(c: T): T {
      clients.push(c);
      return c;
    }

    it('creates a key with a capability, copies a snippet whose key works with the Node client, and revokes it', async () => {
      const tab = await openPage(browser, sb.port);
      await tab
        .locator(`#keys tr[data-key="${devKey.split(':')[0]!}"]`)
        .waitFor({ timeout: 15_000 });
      expect(await tab.locator('#key-app').inputValue()).toBe(devApp);
      await tab.fill('#key-capability', '{"orders:*":["publish","subscribe"]}');
      // Keyboard only: focus the button and press Enter.
      await tab.getByRole('button', { name: 'Create key' }).focus();
      await tab.keyboard.press('Enter');
      await tab
        .locator('#keys-message')
        .filter({ hasText: 'Created' })
        .waitFor({ timeout: 15_000 });
      const clipboard = await tab.evaluate(() => navigator.clipboard.readText());
      expect(await tab.locator('#snippet').inputValue()).toBe(clipboard);
      expect(clipboard).toContain("import * as Ably from 'ably';");
      expect(clipboard).toContain(`port: ${sb.port},`);
      expect(clipboard).toContain('tls: false,');
      // The browser flavour of the snippet names a token endpoint instead of the key.
      await tab.selectOption('#snippet-kind', 'token');
      const browserSnippet = await tab.locator('#snippet').inputValue();
      expect(browserSnippet).toContain('authUrl: "/api/ably-token",');
      expect(browserSnippet).not.toContain('key:');
      await tab.selectOption('#snippet-kind', 'key');
      expect(await tab.locator('#snippet').inputValue()).toBe(clipboard);
      const keyStr = /key: "([^"]+)"/.exec(clipboard)?.[1];
      expect(keyStr).toMatch(new RegExp(`^${devApp}\\.[^:]+:.+`));
      const keyName = keyStr!.split(':')[0]!;
      const row = tab.locator(`#keys tr[data-key="${keyName}"]`);
      expect(await row.locator('td').nth(2).textContent()).toBe(
        '{"orders:*":["publish","subscribe"]}',
      );

      // The snippet's key, used as the snippet uses it, with the official Node client.
      const client = track(
        new Ably.Realtime({ key: keyStr!, endpoint: '127.0.0.1', port: sb.port, tls: false }),
      );
      await client.connection.once('connected');
      await client.channels.get('orders:1').publish('ok', 'within the capability');
      await expect(client.channels.get('elsewhere').publish('x', 'no')).rejects.toMatchObject({
        code: 40160,
      });
      await tab.locator('#apps-panel').screenshot({ path: `${SHOTS}dashboard-apps.png` });

      tab.once('dialog', (dialog) => void dialog.accept());
      const failed = client.connection.once('failed');
      await tab.getByRole('button', { name: `Revoke key ${keyName}` }).click();
      expect((await failed)?.reason?.code).toBe(40131);
      await row.waitFor({ state: 'detached', timeout: 15_000 });
      const rest = new Ably.Rest({ ...sb.clientOptions('json'), key: keyStr! });
      await expect(rest.channels.get('orders:1').publish('x', 'after')).rejects.toMatchObject({
        statusCode: 401,
      });
      // Any listed key's snippet can be copied again from its row.
      const devKeyName = devKey.split(':')[0]!;
      await tab.getByRole('button', { name: `Copy a client snippet for ${devKeyName}` }).click();
      await tab
        .locator('#keys-message')
        .filter({ hasText: `Copied a client snippet for ${devKeyName}` })
        .waitFor();
      expect(await tab.evaluate(() => navigator.clipboard.readText())).toContain(
        `key: "${devKey}",`,
      );
      await tab.close();
    }, 60_000);

    it('pages a channel history newest first, showing payloads as text, and the audit log filtered by channel', async () => {
      const node = track(
        new Ably.Realtime({ ...sb.clientOptions('json'), key: devKey, clientId: 'node-writer' }),
      );
      const channel = node.channels.get('news');
      for (let i = 0; i < 24; i++) await channel.publish(`item-${i}`, { n: i });
      await channel.publish('html', '<img src=x onerror="document.title=\'pwned\'">');
      await new Ably.Rest({ ...sb.clientOptions('json'), key: devKey }).channels
        .get('other')
        .publish('unrelated', 'x');

      const tab = await openPage(browser, sb.port);
      await tab.locator('#panels').waitFor({ state: 'visible' });
      await tab.fill('#history-channel', 'news');
      await tab.click('#history-form button[type=submit]');
      await tab.locator('#history-position').filter({ hasText: 'Page 1' }).waitFor();
      const first = tab.locator('#history tbody tr');
      expect(await first.count()).toBe(20);
      const top = await first.nth(0).locator('td').allTextContents();
      expect(top.slice(1, 3)).toEqual(['html', 'node-writer']);
      expect(top[4]).toBe('<img src=x onerror="document.title=\'pwned\'">');
      expect(await tab.locator('#history img').count()).toBe(0);
      expect(await first.nth(1).locator('td').nth(1).textContent()).toBe('item-23');
      expect(await first.nth(1).locator('td').nth(4).textContent()).toBe('{"n":23}');
      expect(new Date(top[3]!).getTime()).toBeGreaterThan(Date.now() - 60_000);
      await tab.locator('#history-panel').screenshot({ path: `${SHOTS}dashboard-history.png` });
      await tab.click('#history-older');
      await tab.locator('#history-position').filter({ hasText: 'Page 2' }).waitFor();
      expect(await first.locator('td:nth-child(2)').allTextContents()).toEqual([
        'item-4',
        'item-3',
        'item-2',
        'item-1',
        'item-0',
      ]);
      expect(await tab.locator('#history-older').isDisabled()).toBe(true);
      await tab.click('#history-first');
      await tab.locator('#history-position').filter({ hasText: 'Page 1' }).waitFor();

      await tab.fill('#audit-channel', 'news');
      await tab.click('#audit-form button[type=submit]');
      await tab.waitForFunction(
        () => document.querySelector('#audit tbody tr td:nth-child(3)')?.textContent === 'html',
        null,
        { timeout: 15_000 },
      );
      const audit = tab.locator('#audit tbody tr');
      expect(await audit.count()).toBe(20);
      expect(new Set(await audit.locator('td:nth-child(2)').allTextContents())).toEqual(
        new Set(['news']),
      );
      expect(await audit.nth(0).locator('td').allTextContents()).toEqual([
        expect.any(String),
        'news',
        'html',
        'node-writer',
        'realtime',
        expect.stringMatching(/^\d+$/),
        expect.any(String),
      ]);
      await tab.locator('#audit-panel').screenshot({ path: `${SHOTS}dashboard-audit.png` });
      await tab.click('#audit-older');
      await tab.locator('#audit-position').filter({ hasText: 'Page 2' }).waitFor();
      expect(await audit.count()).toBe(5);
      await tab.close();
    }, 60_000);

    it('lists webhook rules with their state and last deliveries: one sent to a local receiver, one failing and paused', async () => {
      const admin = async (body: unknown): Promise<void> => {
        const res = await fetch(`http://127.0.0.1:${sb.port}/apps/${devApp}/webhooks`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(devKey).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(201);
      };
      await admin({ id: 'orders-hook', url: receiver.url, channelFilter: '^orders:' });
      await admin({
        id: 'audit-hook',
        url: failing.url,
        sources: ['channel.message', 'channel.presence'],
        channelFilter: '^audit:',
      });
      const tab = await openPage(browser, sb.port);
      await tab.locator('#webhooks tr[data-rule="orders-hook"]').waitFor({ timeout: 15_000 });
      const rest = new Ably.Rest({ ...sb.clientOptions('json'), key: devKey });
      await rest.channels.get('orders:42').publish('created', { id: 42 });
      await rest.channels.get('audit:1').publish('checked', 'x');
      await receiver.waitFor(() => receiver.items().length === 1);
      const sent = tab.locator('#webhooks tr[data-rule="orders-hook"] li[data-status="sent"]');
      await sent.waitFor({ timeout: 15_000 });
      expect(await sent.textContent()).toMatch(/^sent after 1 attempt, 1 item, \d{4}-/);
      const paused = tab.locator('#webhooks tr[data-rule="audit-hook"] td:nth-child(5)');
      await tab.waitForFunction(
        () =>
          document
            .querySelector('#webhooks tr[data-rule="audit-hook"] td:nth-child(5)')
            ?.textContent?.startsWith('paused'),
        null,
        { timeout: 20_000 },
      );
      expect(await paused.textContent()).toMatch(/^paused \d{4}-.*: /);
      const failedRow = tab.locator(
        '#webhooks tr[data-rule="audit-hook"] li[data-status="failed"]',
      );
      await failedRow.waitFor({ timeout: 15_000 });
      expect(await failedRow.textContent()).toMatch(/^failed after 2 attempts, 1 item, .*500/);
      expect(
        await tab.locator('#webhooks tr[data-rule="orders-hook"] td').allTextContents(),
      ).toEqual([
        'orders-hook',
        '^orders:',
        'channel.message',
        receiver.url,
        'active',
        expect.stringMatching(/^sent after 1 attempt/),
      ]);
      await tab.locator('#webhooks-panel').screenshot({ path: `${SHOTS}dashboard-webhooks.png` });
      await tab.close();
    }, 60_000);
  });
});
