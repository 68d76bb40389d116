import * as Ably from 'ably';
import {
  startPartnerSessionApp,
  type PartnerSessionApp,
} from '@switchboard/example-partner-session/server';
import { createRecordingPushSender } from '@switchboard/server';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCuttableProxy, type CuttableProxy } from './cuttable-proxy.js';
import { launchChromium } from './chromium.js';

const EXAMPLE = new URL('../../examples/partner-session/', import.meta.url).pathname;
const SHOTS = `${EXAMPLE}screenshots/`;
/** Short periods, so the whole outage fits in a few seconds (the defaults are 15 s and 30 s). */
const PRESENCE_GRACE_MS = 1500;
const SILENT_MS = 1000;

/**
 * Saves a screenshot for the example's README. Focus and pointer are cleared first so the same
 * page state gives the same bytes, and `npm test` leaves the committed images as they are.
 */
async function shoot(tab: Page, file: string): Promise<void> {
  await tab.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tab.mouse.move(0, 0);
  await tab.screenshot({ path: `${SHOTS}${file}`, animations: 'disabled', caret: 'hide' });
}

describe('the partner-session example in Chromium, two participants', () => {
  const pushes = createRecordingPushSender();
  let sb: TestServer;
  let app: PartnerSessionApp;
  let browser: Browser;
  let proxy: CuttableProxy;
  let aliceContext: BrowserContext;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    sb = await startTestServer({
      limits: { presenceGraceMs: PRESENCE_GRACE_MS },
      pushSender: pushes,
    });
    await build({ configFile: `${EXAMPLE}vite.config.ts`, logLevel: 'warn' });
    app = await startPartnerSessionApp({
      switchboardUrl: `http://127.0.0.1:${sb.port}`,
      key: sb.key,
      silentMs: SILENT_MS,
      pollMs: 500,
    });
    browser = await launchChromium();
    // setOffline alone leaves the TCP connections open (see cuttable-proxy.ts): Alice's traffic
    // goes through a proxy whose sockets the test cuts at the same moment.
    proxy = await startCuttableProxy();
    aliceContext = await browser.newContext({
      proxy: { server: proxy.server, bypass: '<-loopback>' },
      viewport: { width: 520, height: 760 },
    });
    const bobContext = await browser.newContext({ viewport: { width: 520, height: 760 } });
    alice = await aliceContext.newPage();
    bob = await bobContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.close();
    await sb?.close();
  });

  const partnerEvents = (tab: Page, name: string) =>
    tab.locator(`.activity li[data-event-name="${name}"]`);

  it('shows the partner arriving, their steps within a second, their leaving on a network cut, and every step after recovery', async () => {
    await bob.goto(`${app.url}?session=demo&user=bob`);
    await bob.locator('[data-partner="offline"]').waitFor();
    await alice.goto(`${app.url}?session=demo&user=alice`);
    // Presence: each sees the other come online.
    await bob.locator('[data-partner="online"]').waitFor({ timeout: 10_000 });
    await alice.locator('[data-partner="online"]').waitFor({ timeout: 10_000 });

    await alice.getByRole('button', { name: 'Sign the compact' }).click();
    await partnerEvents(bob, 'partner.signed_compact').waitFor({ timeout: 5000 });

    // Alice's stage completion reaches Bob live, through the server's notify, within 1 s.
    const button = alice.getByRole('button', { name: 'Complete stage 1: Witness' });
    await button.waitFor();
    const clickedAt = Date.now();
    await button.click();
    const completed = partnerEvents(bob, 'partner.stage_completed');
    await completed.waitFor({ timeout: 5000 });
    const latencyMs = Date.now() - clickedAt;
    console.log(`stage completion shown to the partner after ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(1000);
    expect(await completed.textContent()).toContain('Alice completed stage 1: Witness');
    await shoot(bob, 'partner-online.png');

    // Alice has a phone: once she is away, Bob's steps reach her by push.
    const rest = new Ably.Rest({ ...sb.clientOptions('json'), key: sb.key });
    await rest.push.admin.deviceRegistrations.save({
      id: 'alice-phone',
      clientId: 'alice',
      platform: 'ios',
      formFactor: 'phone',
      push: { recipient: { transportType: 'apns', deviceToken: 'alice-token' } },
    });

    // Alice's network is cut.
    await aliceContext.setOffline(true);
    proxy.cut();
    // Bob signs at once: Alice is still present (grace period), so notify publishes on the
    // channel and her connection gets it when it resumes.
    await bob.getByRole('button', { name: 'Sign the compact' }).click();
    await alice.locator('[data-banner="reconnecting"]').waitFor({ timeout: 10_000 });
    expect(await alice.locator('[data-banner]').textContent()).toBe('Reconnecting…');
    // Her own page does not claim to know whether Bob is still there.
    expect(await alice.locator('[data-partner]').getAttribute('data-partner')).toBe('unknown');
    await shoot(alice, 'reconnecting.png');
    // After the grace period Bob sees her leave.
    await bob.locator('[data-partner="offline"]').waitFor({ timeout: 10_000 });
    await shoot(bob, 'partner-away.png');
    // Now notify finds her absent and pushes to her phone instead.
    await bob.getByRole('button', { name: 'Complete stage 1: Witness' }).click();
    await bob.getByRole('button', { name: 'Complete stage 2: Perspective stretch' }).waitFor();
    // Only this step was pushed: the earlier ones went out on the channel.
    await expect
      .poll(() =>
        pushes.sent
          .filter((d) => d.deviceId === 'alice-phone')
          .map((d) => (d.payload.notification as { title?: string }).title),
      )
      .toEqual(['Partner finished a stage']);

    // The network comes back: the banner goes, Bob sees her again, and she has both of his steps.
    await aliceContext.setOffline(false);
    await alice.locator('[data-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    await bob.locator('[data-partner="online"]').waitFor({ timeout: 10_000 });
    await partnerEvents(alice, 'partner.stage_completed').waitFor({ timeout: 10_000 });
    expect(await partnerEvents(alice, 'partner.signed_compact').count()).toBe(1);
    expect(await partnerEvents(alice, 'partner.stage_completed').count()).toBe(1);
    await shoot(alice, 'recovered.png');

    // Switchboard unreachable while the app's backend still answers: the page polls the saved
    // state, so Bob's next step shows on Alice's page although no realtime event can reach it.
    proxy.block(sb.port);
    proxy.cut();
    await alice.locator('[data-banner="reconnecting"]').waitFor({ timeout: 10_000 });
    await bob.getByRole('button', { name: 'Complete stage 2: Perspective stretch' }).click();
    await expect.poll(() => partnerEvents(alice, 'partner.stage_completed').count()).toBe(2);
    expect(await alice.locator('[data-banner]').textContent()).toBe('Reconnecting…');
    proxy.unblock();

    // How each step reached the partner, as the backend recorded notify's answers.
    const state = (await (await fetch(`${app.url}api/sessions/demo?user=bob`)).json()) as {
      events: { by: string; name: string; delivered: string }[];
    };
    expect(state.events.slice(0, 4).map((e) => [e.by, e.name, e.delivered])).toEqual([
      ['alice', 'partner.signed_compact', 'realtime'],
      ['alice', 'partner.stage_completed', 'realtime'],
      ['bob', 'partner.signed_compact', 'realtime'],
      ['bob', 'partner.stage_completed', 'push'],
    ]);
    // The last one went out on the channel or by push, depending on whether her grace period had
    // run out: either way only polling could put it on her page while she was cut off.
    expect(['realtime', 'push']).toContain(state.events[4]?.delivered);
  }, 60_000);
});
