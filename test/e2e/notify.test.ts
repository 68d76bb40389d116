import {
  createRecordingPushSender,
  type Clock,
  type NotificationRecord,
} from '@switchboard/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ably, connectionState, realtimeOptions, useServer } from './helpers.js';

const sender = createRecordingPushSender();
const HOUR = 3_600_000;

/** The wall clock plus an offset the nudge test moves forward. */
let offset = 0;
const clock: Clock = {
  now: () => Date.now() + offset,
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

const device = (id: string, clientId: string) => ({
  id,
  platform: 'ios' as const,
  formFactor: 'phone' as const,
  clientId,
  push: { recipient: { transportType: 'apns', deviceToken: `tok-${id}` } },
});

interface NotifyAnswer {
  delivered: 'realtime' | 'push' | 'none';
  reason: string;
  devices: number;
  logId?: number;
}

describe('POST /notify and GET /notifications', () => {
  const { server, track } = useServer({
    pushSender: sender,
    clock,
    keys: [undefined, { 'session:*': ['subscribe'] }],
    notificationCatalog: {
      '*': { 'custom.placeholder': { title: 'Stage {stage} done', body: 'By {who.name}.' } },
    },
  });
  beforeEach(() => sender.clear());

  /** A REST client of the backend, acting as `clientId` (X-Ably-ClientId, RSA7e). */
  const backend = (clientId?: string, key = 0) =>
    new Ably.Rest(
      realtimeOptions(server(), 'json', {
        key: server().keys[key]!.keyStr,
        ...(clientId ? { clientId } : {}),
      }),
    );

  async function post(body: unknown, clientId = 'alice', key = 0) {
    const res = await backend(clientId, key).request('POST', '/notify', 3, {}, body as object);
    return res;
  }

  async function notifyOk(body: Record<string, unknown>, clientId = 'alice') {
    const res = await post(body, clientId);
    expect(res.statusCode, JSON.stringify(res.errorMessage)).toBe(200);
    return res.items[0] as NotifyAnswer;
  }

  async function log(query: Record<string, string>): Promise<NotificationRecord[]> {
    const res = await backend().request('GET', '/notifications', 3, query, undefined);
    expect(res.statusCode).toBe(200);
    return res.items as NotificationRecord[];
  }

  async function enterPresence(channel: string, clientId: string) {
    const client = track(new Ably.Realtime(realtimeOptions(server(), 'msgpack', { clientId })));
    await connectionState(client, 'connected');
    const ch = client.channels.get(channel);
    await ch.presence.enter({ device: 'phone' });
    return client;
  }

  it('delivers on the channel when the recipient is present, and pushes nothing', async () => {
    const channel = 'session:s1';
    const bob = await enterPresence(`${channel}:presence`, 'bob');
    const sub = bob.channels.get(channel);
    const received = new Promise<Ably.InboundMessage>(
      (resolve) => void sub.subscribe('partner.stage_completed', resolve),
    );
    await sub.attach();
    await backend().push.admin.deviceRegistrations.save(device('bob-phone-1', 'bob'));
    const answer = await notifyOk({
      channel,
      presenceChannel: `${channel}:presence`,
      recipientClientId: 'bob',
      event: 'partner.stage_completed',
      data: { stage: 2 },
    });
    expect(answer).toMatchObject({ delivered: 'realtime', devices: 0 });
    expect(answer.reason).toContain('present');
    const message = await received;
    expect(message.data).toEqual({ stage: 2 });
    // The sender is the caller's clientId.
    expect(message.clientId).toBe('alice');
    expect(sender.sent).toHaveLength(0);
    const [row] = await log({ recipient: 'bob', limit: '1' });
    expect(row).toMatchObject({
      outcome: 'realtime',
      senderClientId: 'alice',
      recipientClientId: 'bob',
      event: 'partner.stage_completed',
      channel,
      kind: 'event',
    });
  });

  it("pushes to every device of a recipient connected but not in presence, with the catalog's text and the session id", async () => {
    const channel = 'session:s2';
    // Connected, attached to the event channel even, but not present on the presence channel.
    const carol = track(
      new Ably.Realtime(realtimeOptions(server(), 'msgpack', { clientId: 'carol' })),
    );
    await carol.channels.get(channel).attach();
    const admin = backend().push.admin.deviceRegistrations;
    await admin.save(device('carol-phone', 'carol'));
    await admin.save(device('carol-tablet', 'carol'));
    const answer = await notifyOk({
      channel,
      presenceChannel: `${channel}:presence`,
      recipientClientId: 'carol',
      event: 'partner.signed_compact',
      data: { signedAt: '2025-01-01T00:00:00Z' },
    });
    expect(answer).toMatchObject({ delivered: 'push', devices: 2 });
    expect(sender.sent.map((d) => d.deviceId).sort()).toEqual(['carol-phone', 'carol-tablet']);
    for (const d of sender.sent)
      expect(d.payload).toEqual({
        notification: {
          title: 'Partner is ready',
          body: 'They signed the Curiosity Compact. Your turn!',
        },
        data: { channel, event: 'partner.signed_compact', kind: 'event', sessionId: 's2' },
      });
    const [row] = await log({ recipient: 'carol', limit: '1' });
    expect(row).toMatchObject({ outcome: 'push', devices: 2 });
  });

  it('pushes to an offline recipient; sessionId in data wins for the deep link', async () => {
    await backend().push.admin.deviceRegistrations.save(device('dan-phone', 'dan'));
    const answer = await notifyOk({
      channel: 'mediation:room-9',
      recipientClientId: 'dan',
      event: 'agreement.proposed',
      data: { sessionId: 'sess-42', agreementId: 'a1' },
    });
    expect(answer).toMatchObject({ delivered: 'push', devices: 1 });
    expect(sender.sent[0]!.payload).toMatchObject({
      notification: { title: 'New experiment proposed' },
      data: { sessionId: 'sess-42', event: 'agreement.proposed' },
    });
  });

  it("a recipient with no device: delivered 'none', no error, logged", async () => {
    const answer = await notifyOk({
      channel: 'session:s3',
      recipientClientId: 'erin',
      event: 'session.paused',
    });
    expect(answer.delivered).toBe('none');
    expect(answer.reason).toContain('no push device');
    expect(sender.sent).toHaveLength(0);
    const [row] = await log({ recipient: 'erin' });
    expect(row).toMatchObject({ outcome: 'none', event: 'session.paused' });
  });

  it('an unknown event gets the default message; configured entries fill placeholders from data', async () => {
    await backend().push.admin.deviceRegistrations.save(device('fay-phone', 'fay'));
    await notifyOk({ channel: 'session:s4', recipientClientId: 'fay', event: 'no.such.event' });
    expect(sender.sent[0]!.payload).toMatchObject({
      notification: { title: 'New activity', body: 'You have an update' },
    });
    sender.clear();
    await notifyOk({
      channel: 'session:s4',
      recipientClientId: 'fay',
      event: 'custom.placeholder',
      data: { stage: 3, who: { name: 'Alice' } },
    });
    expect(sender.sent[0]!.payload).toMatchObject({
      notification: { title: 'Stage 3 done', body: 'By Alice.' },
    });
  });

  it.each([
    [{ recipientClientId: 'bob', event: 'e' }, 'channel'],
    [{ channel: 'session:x', event: 'e' }, 'recipientClientId'],
    [{ channel: 'session:x', recipientClientId: 'bob' }, 'event'],
    [{ channel: 'session:x', recipientClientId: 'bob', event: 'e', kind: 'shout' }, 'kind'],
    [{ channel: 'session:x', recipientClientId: 'bob', event: 7 }, 'event'],
    [{ channel: '[?rewind=1]x', recipientClientId: 'bob', event: 'e' }, 'channel'],
    [
      { channel: 'session:x', presenceChannel: '', recipientClientId: 'bob', event: 'e' },
      'presenceChannel',
    ],
  ])('a bad body is a 400 naming the field (%j)', async (body, field) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.errorCode).toBe(40000);
    expect(res.errorMessage).toContain(`Invalid notification: ${field}`);
  });

  it('needs publish on the channel; the log needs push-admin', async () => {
    const res = await post(
      { channel: 'session:s5', recipientClientId: 'bob', event: 'e' },
      'alice',
      1,
    );
    expect(res.statusCode).toBe(401);
    expect(res.errorCode).toBe(40160);
    const listed = await backend(undefined, 1).request('GET', '/notifications', 3, {}, undefined);
    expect(listed.statusCode).toBe(401);
  });

  it('a nudge needs an identified sender', async () => {
    const res = await backend().request(
      'POST',
      '/notify',
      3,
      {},
      {
        channel: 'session:s6',
        recipientClientId: 'bob',
        event: 'partner.nudge',
        kind: 'nudge',
      },
    );
    expect(res.statusCode).toBe(400);
    expect(res.errorCode).toBe(40012);
  });

  it('nudges: one per sender and recipient per 6 hours, 429 with the retry time, allowed after the window', async () => {
    const nudge = {
      channel: 'session:s7',
      recipientClientId: 'gus',
      event: 'partner.nudge',
      kind: 'nudge',
    };
    const first = await notifyOk(nudge, 'hal');
    expect(first.delivered).toBe('none');
    const start = clock.now();
    offset += HOUR;
    const second = await post(nudge, 'hal');
    expect(second.statusCode).toBe(429);
    expect(second.errorCode).toBe(42910);
    const body = second.items[0] as { nextAllowedAt: number } | undefined;
    const nextAllowedAt = body?.nextAllowedAt ?? NaN;
    expect(nextAllowedAt).toBeGreaterThanOrEqual(start + 6 * HOUR - 1000);
    expect(nextAllowedAt).toBeLessThanOrEqual(start + 6 * HOUR);
    expect(second.errorMessage).toContain(new Date(nextAllowedAt).toISOString());
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(4 * 3600);
    // Another sender, or another recipient, has a slot of its own.
    expect((await notifyOk(nudge, 'ida')).delivered).toBe('none');
    expect((await notifyOk({ ...nudge, recipientClientId: 'jo' }, 'hal')).delivered).toBe('none');
    offset += 5 * HOUR + 1000;
    expect((await notifyOk(nudge, 'hal')).delivered).toBe('none');
    const rows = await log({ sender: 'hal', recipient: 'gus' });
    expect(rows.map((r) => [r.kind, r.outcome])).toEqual([
      ['nudge', 'none'],
      ['nudge', 'suppressed'],
      ['nudge', 'none'],
    ]);
    expect(rows[1]!.reason).toContain('nudge limit');
  });

  it('the log pages newest first with Link and filters by since', async () => {
    const before = clock.now();
    for (const event of ['session.resumed', 'session.resolved', 'agreement.confirmed'])
      await notifyOk({ channel: 'session:s8', recipientClientId: 'kim', event });
    const page = await backend().request(
      'GET',
      '/notifications',
      3,
      { recipient: 'kim', limit: '2' },
      undefined,
    );
    expect((page.items as NotificationRecord[]).map((r) => r.event)).toEqual([
      'agreement.confirmed',
      'session.resolved',
    ]);
    expect(page.hasNext()).toBe(true);
    const next = await page.next();
    expect((next!.items as NotificationRecord[]).map((r) => r.event)).toEqual(['session.resumed']);
    expect(await log({ recipient: 'kim', since: String(clock.now() + 60_000) })).toEqual([]);
    expect((await log({ recipient: 'kim', since: new Date(before).toISOString() })).length).toBe(3);
  });
});
