import type { PushDelivery } from '@switchboard/server';
import { createExpoPushSender, type ExpoPushSender } from '@switchboard/push-expo';
import { startExpoStandIn, type ExpoStandIn } from '@switchboard/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const TOKEN_A = 'ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]';
const TOKEN_B = 'ExponentPushToken[bbbbbbbbbbbbbbbbbbbbbb]';

const delivery = (token: string, deviceId = token): PushDelivery => ({
  appId: 'app',
  deviceId,
  recipient: { transportType: 'expo', expoPushToken: token },
  payload: { notification: { title: 'Partner is ready', body: 'Your turn!' }, data: { s: '1' } },
});

describe('Expo PushSender against a local stand-in', () => {
  let standIn: ExpoStandIn;
  let sender: ExpoPushSender;
  beforeEach(async () => {
    standIn = await startExpoStandIn();
    sender = createExpoPushSender({
      baseUrl: standIn.url,
      requestTimeoutMs: 300,
      receiptDelayMs: 0,
      receiptCheckMs: 0,
    });
  });
  afterEach(async () => {
    await sender.close();
    await standIn.close();
  });

  it('maps the Ably payload onto Expo messages and answers one outcome per delivery', async () => {
    const outcomes = await sender.send([delivery(TOKEN_A), delivery(TOKEN_B)]);
    expect(outcomes).toEqual([{ status: 'sent' }, { status: 'sent' }]);
    expect(standIn.pushes).toEqual([
      { to: TOKEN_A, title: 'Partner is ready', body: 'Your turn!', data: { s: '1' } },
      { to: TOKEN_B, title: 'Partner is ready', body: 'Your turn!', data: { s: '1' } },
    ]);
  });

  it('lets an `expo` object in the payload set Expo-only fields', async () => {
    const d = delivery(TOKEN_A);
    d.payload = { ...d.payload, expo: { channelId: 'partner', priority: 'high' } };
    await sender.send([d]);
    expect(standIn.pushes[0]).toMatchObject({ channelId: 'partner', priority: 'high' });
  });

  it('never sends a token Expo.isExpoPushToken refuses (invalidRecipient)', async () => {
    const outcomes = await sender.send([delivery('not-a-token'), delivery(TOKEN_A)]);
    expect(outcomes[0]).toMatchObject({ status: 'failed', invalidRecipient: true });
    expect(outcomes[1]).toEqual({ status: 'sent' });
    expect(standIn.pushes.map((p) => p.to)).toEqual([TOKEN_A]);
  });

  it('sends in Expo-sized chunks (100 per request)', async () => {
    const many = Array.from({ length: 150 }, (_, i) =>
      delivery(`ExponentPushToken[t${String(i).padStart(20, '0')}]`),
    );
    const outcomes = await sender.send(many);
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(standIn.sendRequests).toBe(2);
    expect(standIn.pushes).toHaveLength(150);
  });

  it('reports a 500 as a retryable failure', async () => {
    standIn.failNext(500);
    const [outcome] = await sender.send([delivery(TOKEN_A)]);
    expect(outcome).toMatchObject({ status: 'failed', retryable: true });
    expect(await sender.send([delivery(TOKEN_A)])).toEqual([{ status: 'sent' }]);
  });

  it('reports a 4xx as final, and a timeout as retryable', async () => {
    standIn.failNext(400);
    expect((await sender.send([delivery(TOKEN_A)]))[0]).toMatchObject({
      status: 'failed',
      retryable: false,
    });
    standIn.stallNext();
    expect((await sender.send([delivery(TOKEN_A)]))[0]).toMatchObject({
      status: 'failed',
      retryable: true,
    });
  });

  it('reports a DeviceNotRegistered ticket as unregistered', async () => {
    standIn.unregisterNow(TOKEN_B);
    const outcomes = await sender.send([delivery(TOKEN_A), delivery(TOKEN_B)]);
    expect(outcomes[0]).toEqual({ status: 'sent' });
    expect(outcomes[1]).toMatchObject({ status: 'failed', unregistered: true });
  });

  it('checks receipts later and tells listeners of DeviceNotRegistered ones', async () => {
    standIn.unregisterLater(TOKEN_B);
    const heard: string[] = [];
    const off = sender.onUnregistered((d) => heard.push(d.deviceId ?? ''));
    expect(await sender.send([delivery(TOKEN_A), delivery(TOKEN_B)])).toEqual([
      { status: 'sent' },
      { status: 'sent' },
    ]);
    expect(sender.pendingReceipts).toBe(2);
    await sender.checkReceipts();
    expect(heard).toEqual([TOKEN_B]);
    expect(sender.pendingReceipts).toBe(0);
    off();
  });

  it('checks receipts on its own timer', async () => {
    await sender.close();
    sender = createExpoPushSender({ baseUrl: standIn.url, receiptDelayMs: 0, receiptCheckMs: 20 });
    standIn.unregisterLater(TOKEN_A);
    const heard = new Promise<PushDelivery>((resolve) => sender.onUnregistered(resolve));
    await sender.send([delivery(TOKEN_A)]);
    expect((await heard).deviceId).toBe(TOKEN_A);
  });

  it('keeps a receipt whose fetch failed for the next check', async () => {
    await sender.send([delivery(TOKEN_A)]);
    await standIn.close();
    await sender.checkReceipts();
    expect(sender.pendingReceipts).toBe(1);
  });
});
