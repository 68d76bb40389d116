import { createRecordingPushSender } from '@switchboard/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ably, FORMATS, realtimeOptions, useServer } from './helpers.js';

const sender = createRecordingPushSender();

const device = (id: string, clientId?: string) => ({
  id,
  platform: 'android' as const,
  formFactor: 'phone' as const,
  ...(clientId ? { clientId } : {}),
  metadata: { model: 'pixel' },
  push: { recipient: { transportType: 'fcm', registrationToken: `tok-${id}` } },
});

describe.each(FORMATS)('push admin over %s', (format) => {
  const { server } = useServer({
    pushSender: sender,
    namespaces: [{ id: 'pushenabled', pushEnabled: true }],
    keys: [
      undefined,
      { '*': ['subscribe', 'publish'] },
      { 'pushenabled:*': ['push-subscribe', 'publish'] },
    ],
  });
  const rest = (key = 0, extra: Ably.ClientOptions = {}) =>
    new Ably.Rest(realtimeOptions(server(), format, { key: server().keys[key]!.keyStr, ...extra }));
  beforeEach(() => sender.clear());

  it('RSH1b3, RSH1b1, RSH1b4: save, get and remove a device registration', async () => {
    const admin = rest().push.admin.deviceRegistrations;
    const saved = await admin.save(device(`${format}-d1`, 'alice'));
    expect(saved).toMatchObject({ id: `${format}-d1`, clientId: 'alice', platform: 'android' });
    const got = await admin.get(`${format}-d1`);
    expect(got.push.state).toBe('ACTIVE');
    expect(got.push.recipient).toEqual({
      transportType: 'fcm',
      registrationToken: `tok-${format}-d1`,
    });
    expect(got.metadata).toEqual({ model: 'pixel' });
    await admin.remove(`${format}-d1`);
    await expect(admin.get(`${format}-d1`)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('RSH1b2, RSH1b5: list filters by clientId, pages with Link, removeWhere by clientId', async () => {
    const admin = rest().push.admin.deviceRegistrations;
    const clientId = `${format}-lister`;
    for (const n of [1, 2, 3]) await admin.save(device(`${format}-l${n}`, clientId));
    await admin.save(device(`${format}-other`, `${format}-someone`));
    const first = await admin.list({ clientId, limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual([`${format}-l1`, `${format}-l2`]);
    expect(first.hasNext()).toBe(true);
    const second = await first.next();
    expect(second!.items.map((d) => d.id)).toEqual([`${format}-l3`]);
    const byId = await admin.list({ deviceId: `${format}-other` });
    expect(byId.items.map((d) => d.clientId)).toEqual([`${format}-someone`]);
    await admin.removeWhere({ clientId });
    expect((await admin.list({ clientId })).items).toEqual([]);
    await admin.removeWhere({ deviceId: `${format}-other` });
  });

  it('RSH1c3, RSH1c1, RSH1c2, RSH1c4, RSH1c5: channel subscriptions', async () => {
    const admin = rest().push.admin;
    await admin.deviceRegistrations.save(device(`${format}-s1`));
    const channel = `pushenabled:${format}-subs`;
    const saved = await admin.channelSubscriptions.save({ channel, clientId: 'bob' });
    expect(saved).toMatchObject({ channel, clientId: 'bob' });
    await admin.channelSubscriptions.save({ channel, deviceId: `${format}-s1` });
    await admin.channelSubscriptions.save({ channel: `${channel}-2`, clientId: 'bob' });
    const listed = await admin.channelSubscriptions.list({ channel });
    expect(listed.items.map((s) => s.clientId ?? s.deviceId).sort()).toEqual([
      'bob',
      `${format}-s1`,
    ]);
    const byClient = await admin.channelSubscriptions.list({ clientId: 'bob' });
    expect(byClient.items.map((s) => s.channel).sort()).toEqual([channel, `${channel}-2`]);
    const channels = await admin.channelSubscriptions.listChannels({});
    expect(channels.items).toEqual(expect.arrayContaining([channel, `${channel}-2`]));
    await admin.channelSubscriptions.remove({ channel, deviceId: `${format}-s1` });
    expect((await admin.channelSubscriptions.list({ channel })).items).toHaveLength(1);
    await admin.channelSubscriptions.removeWhere({ clientId: 'bob' });
    expect((await admin.channelSubscriptions.list({ clientId: 'bob' })).items).toEqual([]);
    await admin.deviceRegistrations.remove(`${format}-s1`);
  });

  it('RSH1a: publish to a clientId reaches the PushSender once per device', async () => {
    const admin = rest().push.admin;
    await admin.deviceRegistrations.save(device(`${format}-p1`, `${format}-carol`));
    await admin.deviceRegistrations.save(device(`${format}-p2`, `${format}-carol`));
    const payload = { notification: { title: 'Hi', body: 'there' }, data: { k: 'v' } };
    await admin.publish({ clientId: `${format}-carol` }, payload);
    expect(sender.sent.map((d) => d.deviceId).sort()).toEqual([`${format}-p1`, `${format}-p2`]);
    expect(sender.sent[0]).toMatchObject({ payload, recipient: { transportType: 'fcm' } });
    await admin.publish({ transportType: 'expo', expoPushToken: 'ExponentPushToken[x]' }, payload);
    expect(sender.sent[2]).toMatchObject({ recipient: { transportType: 'expo' }, payload });
    await admin.deviceRegistrations.removeWhere({ clientId: `${format}-carol` });
  });

  it('RSH7: a message with extras.push on a pushEnabled channel is pushed to its subscribers', async () => {
    const admin = rest().push.admin;
    await admin.deviceRegistrations.save(device(`${format}-x1`, `${format}-dave`));
    const channel = `pushenabled:${format}-extras`;
    await admin.channelSubscriptions.save({ channel, clientId: `${format}-dave` });
    const push = { notification: { title: 'News' } };
    await rest().channels.get(channel).publish({ name: 'n', data: 'd', extras: { push } });
    await expect.poll(() => sender.sent.length).toBe(1);
    expect(sender.sent[0]).toMatchObject({ deviceId: `${format}-x1`, payload: push });
    await admin.deviceRegistrations.remove(`${format}-x1`);
  });

  it('40160: without push-admin the admin API is refused', async () => {
    const plain = rest(1).push.admin;
    const refused = { code: 40160, statusCode: 401 };
    await expect(plain.deviceRegistrations.list({})).rejects.toMatchObject(refused);
    await expect(plain.deviceRegistrations.save(device(`${format}-no`))).rejects.toMatchObject(
      refused,
    );
    await expect(plain.publish({ clientId: 'x' }, { data: { a: 1 } })).rejects.toMatchObject(
      refused,
    );
    await expect(plain.channelSubscriptions.listChannels({})).rejects.toMatchObject(refused);
    const sub = rest(2).push.admin.channelSubscriptions;
    await expect(sub.save({ channel: 'pushenabled:x', clientId: 'not-me' })).rejects.toMatchObject(
      refused,
    );
  });

  it('RSH3, RSH7a: a device with push-subscribe registers itself and acts with its identity token', async () => {
    const client = rest(2);
    const id = `${format}-self`;
    const registered = await client.request('post', '/push/deviceRegistrations', 3, {}, device(id));
    expect(registered.statusCode).toBe(201);
    const token = (registered.items[0] as { deviceIdentityToken: { token: string } })
      .deviceIdentityToken.token;
    expect(token).toBeTruthy();
    const channel = 'pushenabled:self';
    const body = { channel, deviceId: id };
    const without = await client.request('post', '/push/channelSubscriptions', 3, {}, body);
    expect(without.errorCode).toBe(40160);
    const headers = { 'X-Ably-DeviceToken': token };
    const withToken = await client.request(
      'post',
      '/push/channelSubscriptions',
      3,
      {},
      body,
      headers,
    );
    expect(withToken.statusCode).toBe(201);
    const own = await client.request(
      'get',
      '/push/channelSubscriptions',
      3,
      { deviceId: id },
      null,
      headers,
    );
    expect(own.items).toEqual([{ channel, deviceId: id }]);
    const other = await client.request('get', `/push/deviceRegistrations/${id}`, 3, {}, null);
    expect(other.errorCode).toBe(40160);
    const again = await client.request('post', '/push/deviceRegistrations', 3, {}, device(id));
    expect(again.errorCode).toBe(40160);
    const removed = await client.request(
      'delete',
      `/push/deviceRegistrations/${id}`,
      3,
      {},
      null,
      headers,
    );
    expect(removed.success).toBe(true);
    expect((await rest().push.admin.channelSubscriptions.list({ channel })).items).toEqual([]);
  });

  it('RSH1b3: a malformed registration is a 400 naming the field', async () => {
    const admin = rest().push.admin.deviceRegistrations;
    const bad = { ...device(`${format}-bad`), platform: 'palm' } as unknown as Ably.DeviceDetails;
    await expect(admin.save(bad)).rejects.toMatchObject({
      code: 40000,
      statusCode: 400,
      message: expect.stringContaining('platform'),
    });
    const noRecipient = { ...device(`${format}-bad`), push: {} } as unknown as Ably.DeviceDetails;
    await expect(admin.save(noRecipient)).rejects.toMatchObject({
      code: 40000,
      message: expect.stringContaining('push.recipient'),
    });
    const res = await rest().request('get', '/push/deviceRegistrations', 3, { limit: '0' }, null);
    expect(res.errorCode).toBe(40003);
  });
});
