import * as Ably from 'ably';
import { startChatApp, type ChatApp } from '@switchboard/example-chat/server';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

const EXAMPLE = new URL('../../examples/chat/', import.meta.url).pathname;
const SHOTS = `${EXAMPLE}screenshots/`;
/** Short periods so the test waits seconds, not the defaults' minute (SLA) and 2 s (typing). */
const SLA_WARNING_MS = 2500;
const TYPING_IDLE_MS = 800;

/** Every button and the message box are at least 44 × 44 px (touch targets). */
async function smallTargets(tab: Page): Promise<string[]> {
  return tab.evaluate(() =>
    [...document.querySelectorAll('button, input')]
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ el, box }) => `${el.textContent || el.tagName} ${box.width}×${box.height}`),
  );
}

/**
 * Saves a screenshot for the example's README. Focus and pointer are cleared first so the same
 * page state gives the same bytes, and `npm test` leaves the committed images as they are.
 */
async function shoot(tab: Page, file: string): Promise<void> {
  await tab.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tab.mouse.move(0, 0);
  await tab.screenshot({ path: `${SHOTS}${file}`, animations: 'disabled', caret: 'hide' });
}

describe('the chat example in Chromium, customer and agent', () => {
  let sb: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    sb = await startTestServer();
    await build({ configFile: `${EXAMPLE}vite.config.ts`, logLevel: 'warn' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sb?.close();
  });

  /** Opens a participant's page; `sockets` collects the URL of every WebSocket it opens. */
  async function open(app: ChatApp, user: string, sockets: string[] = []): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 420, height: 720 } });
    const tab = await context.newPage();
    tab.on('websocket', (ws) => sockets.push(ws.url()));
    await tab.goto(`${app.url}?conversation=demo&user=${user}`);
    return tab;
  }

  it('shows typing start and its debounced stop, delivers messages and read receipts live, warns on the SLA, and reports quick replies', async () => {
    const app = await startChatApp({
      switchboardUrl: `http://127.0.0.1:${sb.port}`,
      key: sb.key,
      slaWarningMs: SLA_WARNING_MS,
      typingIdleMs: TYPING_IDLE_MS,
    });
    const observer = new Ably.Realtime({ ...sb.clientOptions('json'), key: sb.key });
    try {
      // A backend listener for the analytics event the quick-reply chips publish.
      const picks: unknown[] = [];
      await observer.channels
        .get('conversation:demo')
        .subscribe('ui:suggestionSelected', (m) => picks.push(m.data));

      const customer = await open(app, 'dana');
      const agent = await open(app, 'sam');
      // Both pages attached to the conversation before anyone types.
      await customer.locator('[data-feed="attached"]').waitFor({ timeout: 10_000 });
      await agent.locator('[data-feed="attached"]').waitFor({ timeout: 10_000 });

      // Typing shows for the agent, and hides by itself after the idle period.
      const typing = agent.locator('.typing');
      await customer.locator('#draft').pressSequentially('Hel', { delay: 30 });
      await agent.locator('[data-typing="yes"]').waitFor({ timeout: 5000 });
      expect(await typing.textContent()).toBe('Dana is typing…');
      await shoot(agent, 'agent-typing.png');
      await agent.locator('[data-typing="no"]').waitFor({ timeout: 5000 });

      // A quick-reply chip fills the box and publishes the analytics event.
      await customer.getByRole('button', { name: 'Where is my order?' }).click();
      expect(await customer.locator('#draft').inputValue()).toBe('Where is my order?');
      await expect
        .poll(() => picks)
        .toEqual([{ suggestion: 'Where is my order?', persona: 'customer' }]);

      // The customer's message reaches the agent; sending ends the typing indicator at once.
      await customer.keyboard.type(' It was due Monday.', { delay: 10 });
      await agent.locator('[data-typing="yes"]').waitFor({ timeout: 5000 });
      const sentAt = Date.now();
      await customer.getByRole('button', { name: 'Send message' }).click();
      const arrived = agent.locator('.message.theirs', {
        hasText: 'Where is my order? It was due Monday.',
      });
      await arrived.waitFor({ timeout: 5000 });
      console.log(`customer message shown to the agent after ${Date.now() - sentAt} ms`);
      await agent.locator('[data-typing="no"]').waitFor({ timeout: TYPING_IDLE_MS });
      // The live region announces it: it sits in the polite log.
      expect(await agent.locator('[role="log"][aria-live="polite"] .message').count()).toBe(1);

      // The agent's page marks it read; the receipt returns to the customer.
      await customer.locator('.message.mine [data-read="yes"]').waitFor({ timeout: 5000 });

      // Unanswered past the SLA threshold: both see the warning.
      await agent.locator('[data-sla="warning"]').waitFor({ timeout: SLA_WARNING_MS + 5000 });
      await customer.locator('[data-sla="warning"]').waitFor({ timeout: 5000 });
      expect(await agent.locator('[data-sla="warning"]').textContent()).toBe(
        'SLA warning: Dana has waited more than 2.5 s for an answer',
      );
      expect(await smallTargets(customer)).toEqual([]);
      expect(await smallTargets(agent)).toEqual([]);
      await shoot(customer, 'customer.png');
      await shoot(agent, 'agent-sla.png');

      // The agent answers: the warning goes on both sides, the customer reads it, the agent sees so.
      await agent.locator('#draft').fill('Sorry about that, it ships today.');
      await agent.getByRole('button', { name: 'Send message' }).click();
      await customer.locator('.message.theirs', { hasText: 'it ships today' }).waitFor();
      await customer.locator('[data-sla]').waitFor({ state: 'detached' });
      await agent.locator('[data-sla]').waitFor({ state: 'detached' });
      await agent.locator('.message.mine [data-read="yes"]').waitFor({ timeout: 5000 });

      // The customer's network drops: an assertive alert says so, and goes once it is back.
      await customer.context().setOffline(true);
      const alert = customer.locator('[role="alert"][aria-live="assertive"]');
      await alert.waitFor({ timeout: 5000 });
      expect(await alert.textContent()).toBe('Connection lost. Reconnecting…');
      await shoot(customer, 'customer-reconnecting.png');
      await customer.context().setOffline(false);
      await alert.waitFor({ state: 'detached', timeout: 15_000 });
    } finally {
      observer.close();
      await app.close();
    }
  }, 60_000);

  it('with ENABLE_REALTIME=false polls instead: no token, no WebSocket, and messages and receipts still arrive', async () => {
    const app = await startChatApp({
      switchboardUrl: `http://127.0.0.1:${sb.port}`,
      key: sb.key,
      realtime: false,
      pollMs: 300,
    });
    try {
      expect((await fetch(`${app.url}api/token?conversation=demo&user=dana`)).status).toBe(404);
      const sockets: string[] = [];
      const customer = await open(app, 'dana', sockets);
      const agent = await open(app, 'sam', sockets);
      await customer.locator('[data-feed="polling"]').waitFor();
      await agent.locator('[data-feed="polling"]').waitFor();

      await customer.getByRole('button', { name: 'I need to change my address' }).click();
      await customer.getByRole('button', { name: 'Send message' }).click();
      await agent
        .locator('.message.theirs', { hasText: 'I need to change my address' })
        .waitFor({ timeout: 5000 });
      await customer.locator('.message.mine [data-read="yes"]').waitFor({ timeout: 5000 });
      // The quick reply was reported over HTTP instead of the channel.
      expect(app.analytics).toEqual([{ user: 'dana', suggestion: 'I need to change my address' }]);
      expect(sockets).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
