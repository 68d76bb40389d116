import { type Server } from 'node:http';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import type * as AblyModule from 'ably';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serveAblyPage } from './chromium.js';

describe('the official ably browser bundle in Chromium without WebSockets', () => {
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
