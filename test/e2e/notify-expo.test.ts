import { createExpoPushSender, type ExpoPushSender } from '@switchboard/push-expo';
import { DEFAULT_MESSAGES } from '@switchboard/server';
import {
  startExpoStandIn,
  startTestServer,
  type ExpoStandIn,
  type TestServer,
} from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, collect, realtimeOptions } from './helpers.js';

const TOKEN_PHONE = 'ExponentPushToken[phonephonephonephonep]';
const TOKEN_TABLET = 'ExponentPushToken[tablettablettablettab]';
const SESSION = 'meetwithoutfear:session:s42';
const PRESENCE = `${SESSION}:presence`;

const expoDevice = (id: string, expoPushToken: string) => ({
  id,
  platform: 'ios' as const,
  formFactor: 'phone' as const,
  clientId: 'bob',
  push: { recipient: { transportType: 'expo', expoPushToken } },
});

describe('the mediation flow: notify the partner live, or by Expo push when away', () => {
  let standIn: ExpoStandIn;
  let sender: ExpoPushSender;
  let server: TestServer;
  beforeAll(async () => {
    standIn = await startExpoStandIn();
    sender = createExpoPushSender({ baseUrl: standIn.url, receiptDelayMs: 0, receiptCheckMs: 0 });
    server = await startTestServer({ pushSender: sender, limits: { pushOutboxPollMs: 25 } });
  });
  afterAll(async () => {
    await server.close();
    await sender.close();
    await standIn.close();
  });

  const asAlice = () =>
    new Ably.Rest(realtimeOptions(server, 'json', { key: server.key, clientId: 'alice' }));
  const notify = async (event: string) => {
    const res = await asAlice().request(
      'POST',
      '/notify',
      3,
      {},
      {
        channel: SESSION,
        presenceChannel: PRESENCE,
        recipientClientId: 'bob',
        event,
        data: { stage: 2 },
      },
    );
    expect(res.statusCode, JSON.stringify(res.errorMessage)).toBe(200);
    return res.items[0] as { delivered: string; devices: number };
  };

  it('offline partner: one Expo push per device with the catalog text and the session id; a dead device is removed', async () => {
    const admin = asAlice().push.admin;
    await admin.deviceRegistrations.save(expoDevice('bob-phone', TOKEN_PHONE));
    await admin.deviceRegistrations.save(expoDevice('bob-tablet', TOKEN_TABLET));
    standIn.unregisterLater(TOKEN_TABLET);

    const answer = await notify('partner.stage_completed');
    expect(answer).toMatchObject({ delivered: 'push', devices: 2 });
    await standIn.waitForPushes(2);
    const expected = DEFAULT_MESSAGES['partner.stage_completed']!;
    for (const push of standIn.pushes) {
      expect(push).toMatchObject({ title: expected.title, body: expected.body });
      expect(push.data).toMatchObject({ channel: SESSION, sessionId: 's42' });
    }
    await sender.checkReceipts();
    const gone = async () =>
      admin.deviceRegistrations.get('bob-tablet').then(
        () => false,
        (err: { statusCode?: number }) => err.statusCode === 404,
      );
    const deadline = Date.now() + 5000;
    while (!(await gone()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await gone()).toBe(true);
    expect((await admin.deviceRegistrations.get('bob-phone')).push.state).toBe('ACTIVE');
  });

  it('present partner: the event arrives on the session channel and nothing is pushed', async () => {
    const bob = new Ably.Realtime(realtimeOptions(server, 'msgpack', { clientId: 'bob' }));
    try {
      const got = collect<Ably.Message>();
      await bob.channels.get(SESSION).subscribe('partner.advanced', (m) => got.push(m));
      await bob.channels.get(PRESENCE).presence.enter();
      const pushesBefore = standIn.pushes.length;
      expect(await notify('partner.advanced')).toMatchObject({ delivered: 'realtime' });
      const [message] = await got.until(1);
      expect(message!.data).toEqual({ stage: 2 });
      expect(standIn.pushes.length).toBe(pushesBefore);
    } finally {
      bob.close();
    }
  });
});
