import { createNotifier, NotifyError } from '@switchboard/kit';
import { createRecordingPushSender } from '@switchboard/server';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('createNotifier (server side)', () => {
  const sender = createRecordingPushSender();
  let server: TestServer;
  const endpoint = () => `http://127.0.0.1:${server.port}`;
  beforeAll(async () => {
    server = await startTestServer({ pushSender: sender });
  });
  afterAll(() => server.close());

  it('notify() pushes to an absent recipient with a device, and answers none without one', async () => {
    const admin = new Ably.Rest({ ...server.clientOptions('json'), key: server.key, logLevel: 0 });
    await admin.push.admin.deviceRegistrations.save({
      id: 'kit-bob-phone',
      platform: 'android',
      formFactor: 'phone',
      clientId: 'bob',
      push: { recipient: { transportType: 'fcm', registrationToken: 'tok' } },
    });
    const notifier = createNotifier({ endpoint: endpoint(), key: server.key, clientId: 'alice' });
    const pushed = await notifier.notify({
      channel: 'session:k1',
      recipientClientId: 'bob',
      event: 'partner.needs_shared',
    });
    expect(pushed).toMatchObject({ delivered: 'push', devices: 1 });
    expect(sender.sent[0]!.payload).toMatchObject({
      notification: { title: 'Partner shared their needs' },
      data: { sessionId: 'k1' },
    });
    const none = await notifier.notify({
      channel: 'session:k1',
      recipientClientId: 'nobody',
      event: 'partner.needs_shared',
    });
    expect(none.delivered).toBe('none');
  });

  it('a second nudge rejects with a NotifyError carrying nextAllowedAt; a bad body names the field', async () => {
    const notifier = createNotifier({ endpoint: `${endpoint()}/`, key: server.key });
    const nudge = {
      channel: 'session:k2',
      recipientClientId: 'bob',
      event: 'partner.advanced',
      kind: 'nudge' as const,
      senderClientId: 'carol',
    };
    await notifier.notify(nudge);
    const refused = await notifier.notify(nudge).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(NotifyError);
    expect(refused).toMatchObject({ statusCode: 429, code: 42910 });
    expect((refused as NotifyError).nextAllowedAt).toBeGreaterThan(Date.now() + 5 * 3_600_000);
    await expect(
      notifier.notify({ channel: 'session:k2', recipientClientId: '', event: 'e' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('recipientClientId'),
    });
  });

  it('refuses misused options at once with a TypeError', () => {
    expect(() => createNotifier({ endpoint: 'localhost:8080', key: server.key })).toThrow(
      TypeError,
    );
    expect(() => createNotifier({ endpoint: endpoint(), key: 'nokey' })).toThrow(TypeError);
  });
});
