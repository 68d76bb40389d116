import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startTcpProxy,
  startTestServer,
  type TcpProxy,
  type TestServer,
} from '@switchboard/testkit';
import * as Ably from 'ably';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

/** A blank page on its own origin, so the EventSource is cross-origin (CORS) as in an app. */
function servePage(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>sse</title>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }),
    ),
  );
}

interface PageState {
  messages: { data: string; lastEventId: string }[];
  opens: number;
  errors: string[];
}

/** Opens an EventSource in the page; everything it sees is kept in window.sse. */
async function openEventSource(tab: Page, url: string): Promise<void> {
  await tab.evaluate((src) => {
    const state: PageState = { messages: [], opens: 0, errors: [] };
    (window as unknown as { sse: PageState }).sse = state;
    const source = new EventSource(src);
    source.onopen = () => state.opens++;
    source.onmessage = (e: MessageEvent<string>) => {
      if (!e.data.startsWith('{"type":"heartbeat"'))
        state.messages.push({ data: e.data, lastEventId: e.lastEventId });
    };
    source.addEventListener('error', (e) => {
      if ((e as MessageEvent<string>).data) state.errors.push((e as MessageEvent<string>).data);
    });
  }, url);
}

const pageState = (tab: Page): Promise<PageState> =>
  tab.evaluate(() => (window as unknown as { sse: PageState }).sse);

describe('SSE over EventSource in Chromium', () => {
  let sb: TestServer;
  let page: { server: Server; url: string };
  let proxy: TcpProxy;
  let browser: Browser;

  beforeAll(async () => {
    sb = await startTestServer();
    page = await servePage();
    proxy = await startTcpProxy(sb.port);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    page?.server.close();
    await sb?.close();
  });

  it('an EventSource receives what the official client publishes, and after a cut resumes by Last-Event-ID with no gap', async () => {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    const src = `http://127.0.0.1:${proxy.port}/sse?v=1.2&channels=browser-feed&key=${encodeURIComponent(sb.key)}`;
    await openEventSource(tab, src);
    await tab.waitForFunction(() => (window as unknown as { sse: PageState }).sse.opens === 1);
    const rest = new Ably.Rest({ ...sb.clientOptions('json'), key: sb.key, logLevel: 0 });
    const channel = rest.channels.get('browser-feed');
    await channel.publish('a', 'one');
    await channel.publish('b', { two: 2 });
    await tab.waitForFunction(
      () => (window as unknown as { sse: PageState }).sse.messages.length === 2,
    );
    // The cut: every connection through the proxy drops; meanwhile two more are published.
    proxy.dropAll();
    await channel.publish('c', 'three');
    await channel.publish('d', 'four');
    // EventSource reconnects by itself (its retry delay), sending Last-Event-ID.
    await tab.waitForFunction(
      () => (window as unknown as { sse: PageState }).sse.messages.length >= 4,
      undefined,
      { timeout: 20_000 },
    );
    await channel.publish('e', 'five');
    await tab.waitForFunction(
      () => (window as unknown as { sse: PageState }).sse.messages.length >= 5,
    );
    const state = await pageState(tab);
    expect(state.opens).toBe(2);
    expect(state.errors).toEqual([]);
    const got = state.messages.map(
      (m) => JSON.parse(m.data) as { name: string; data: string; channel: string },
    );
    expect(got.map((m) => m.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(got[0]).toMatchObject({ channel: 'browser-feed', data: 'one' });
    expect(JSON.parse(got[1]!.data)).toEqual({ two: 2 });
    expect(state.messages[4]!.lastEventId).not.toBe('');
    await tab.close();
  }, 60_000);

  it('refused credentials arrive as an error event with the Ably code (40101)', async () => {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    const key = `${sb.keys[0]!.keyName}:wrong-secret`;
    await openEventSource(
      tab,
      `http://127.0.0.1:${sb.port}/sse?v=1.2&channels=x&key=${encodeURIComponent(key)}`,
    );
    await tab.waitForFunction(
      () => (window as unknown as { sse: PageState }).sse.errors.length > 0,
    );
    const [error] = (await pageState(tab)).errors;
    expect((JSON.parse(error!) as { code: number }).code).toBe(40101);
    await tab.close();
  });
});
