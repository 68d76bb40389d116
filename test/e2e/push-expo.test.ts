import { createExpoPushSender, type ExpoPushSender } from '@switchboard/push-expo';
import type { Limits } from '@switchboard/server';
import {
  startExpoStandIn,
  startTestServer,
  type ExpoStandIn,
  type TestServer,
} from '@switchboard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Ably, realtimeOptions } from './helpers.js';

const TOKEN_A = 'ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]';
const TOKEN_B = 'ExponentPushToken[bbbbbbbbbbbbbbbbbbbbbb]';

const expoDevice = (id: string, clientId: string, expoPushToken: string) => ({
  id,
  platform: 'ios' as const,
  formFactor: 'phone' as const,
  clientId,
  push: { recipient: { transportType: 'expo', expoPushToken } },
});

const payload = {
  notification: { title: 'Partner is ready', body: 'Your turn!' },
  data: { sessionId: 's1', event: 'partner.signed_compact' },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('push to Expo through the Expo sender and a local stand-in', () => {
  let standIn: ExpoStandIn;
  let sender: ExpoPushSender;
  let server: TestServer;
  afterEach(async () => {
    await server.close();
    await sender.close();
    await standIn.close();
  });

  async function start(limits: Partial<Limits> = {}, sqlite = false) {
    standIn = await startExpoStandIn();
    sender = createExpoPushSender({
      baseUrl: standIn.url,
      requestTimeoutMs: 1000,
      receiptDelayMs: 0,
      receiptCheckMs: 0,
    });
    server = await startTestServer({
      pushSender: sender,
      sqlite,
      limits: { pushRetryBaseMs: 100, pushOutboxPollMs: 25, ...limits },
    });
  }
  const rest = () => new Ably.Rest(realtimeOptions(server, 'json', { key: server.key }));

  it('RSH1a: a publish to a clientId reaches Expo once per valid device; an invalid token is never sent', async () => {
    await start();
    const admin = rest().push.admin;
    await admin.deviceRegistrations.save(expoDevice('d1', 'carol', TOKEN_A));
    await admin.deviceRegistrations.save(expoDevice('d2', 'carol', TOKEN_B));
    await admin.deviceRegistrations.save(expoDevice('d3', 'carol', 'not-an-expo-token'));
    await admin.publish({ clientId: 'carol' }, payload);
    await standIn.waitForPushes(2);
    await sleep(150);
    expect(standIn.pushes.map((p) => p.to).sort()).toEqual([TOKEN_A, TOKEN_B]);
    expect(standIn.pushes[0]).toMatchObject({
      title: 'Partner is ready',
      body: 'Your turn!',
      data: payload.data,
    });
    // RSH3: a token that can never be sent to marks its registration FAILED.
    expect((await admin.deviceRegistrations.get('d3')).push.state).toBe('FAILED');
  });

  it('a device whose receipt says DeviceNotRegistered is removed after the receipt check', async () => {
    await start();
    const admin = rest().push.admin;
    await admin.deviceRegistrations.save(expoDevice('d1', 'dave', TOKEN_A));
    await admin.deviceRegistrations.save(expoDevice('d2', 'dave', TOKEN_B));
    standIn.unregisterLater(TOKEN_B);
    await admin.publish({ clientId: 'dave' }, payload);
    await standIn.waitForPushes(2);
    expect((await admin.deviceRegistrations.get('d2')).id).toBe('d2');
    await sender.checkReceipts();
    await eventually(() =>
      admin.deviceRegistrations.get('d2').then(
        () => false,
        (err: { statusCode?: number }) => err.statusCode === 404,
      ),
    );
    expect((await admin.deviceRegistrations.get('d1')).push.state).toBe('ACTIVE');
  });

  it('a 500 then a 200: retried with backoff and delivered once', async () => {
    await start();
    const admin = rest().push.admin;
    await admin.deviceRegistrations.save(expoDevice('d1', 'erin', TOKEN_A));
    standIn.failNext(500);
    await admin.publish({ deviceId: 'd1' }, payload);
    await standIn.waitForPushes(1);
    await sleep(300);
    expect(standIn.pushes).toHaveLength(1);
    expect(standIn.sendRequests).toBe(2);
  });

  it('a restart during retries still delivers (the outbox is in the store)', async () => {
    // A backoff long enough that the retry is due only after the restart.
    await start({ pushRetryBaseMs: 1500 }, true);
    const admin = rest().push.admin;
    await admin.deviceRegistrations.save(expoDevice('d1', 'fay', TOKEN_A));
    standIn.failNext(500);
    await admin.publish({ deviceId: 'd1' }, payload);
    expect(standIn.sendRequests).toBe(1);
    expect(standIn.pushes).toHaveLength(0);
    await server.restart();
    await standIn.waitForPushes(1, 10_000);
    await sleep(200);
    expect(standIn.pushes).toHaveLength(1);
    expect(standIn.sendRequests).toBe(2);
  });
});
