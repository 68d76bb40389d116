import { type Server } from 'node:http';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import type * as AblyModule from 'ably';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serveAblyPage } from './chromium.js';

describe('the official ably client in Chromium', () => {
  let sb: TestServer;
  let page: { server: Server; url: string };
  let browser: Browser;

  beforeAll(async () => {
    sb = await startTestServer();
    page = await serveAblyPage();
    browser = await launchChromium();
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
