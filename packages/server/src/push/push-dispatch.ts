import { permits, type Message } from '@switchboard/protocol';
import { authenticate } from '../auth/authenticate.js';
import type { App } from '../apps/app-registry.js';
import type { EngineContext } from '../context.js';
import { randomId } from '../ids.js';
import type { PushDelivery, PushOutcome, PushPayload } from '../ports/push-sender.js';
import type { PushDeviceRecord, PushRecipient } from '../ports/push-store.js';

/** The message name the `ablyChannel` transport delivers under (as Ably's push service does). */
export const ABLY_PUSH_MESSAGE_NAME = '__ably_push__';

const toDelivery = (d: PushDeviceRecord, payload: PushPayload): PushDelivery => ({
  appId: d.appId,
  deviceId: d.id,
  ...(d.clientId === undefined ? {} : { clientId: d.clientId }),
  recipient: d.recipient,
  payload,
});

/** Every device registered for a clientId, at most `max` (limits.maxPushDevicesPerDelivery). */
async function devicesOfClient(
  ctx: EngineContext,
  appId: string,
  clientId: string,
  max: number,
): Promise<PushDeviceRecord[]> {
  const page = await ctx.pushStore.listPushDevices({ appId, clientId }, { limit: max });
  return page.items;
}

/**
 * The deliveries a publish's recipient names (RSH1a): one device by `deviceId`, every device of
 * a `clientId`, or a recipient given by its transport details (`transportType` and its fields).
 */
export async function deliveriesFor(
  ctx: EngineContext,
  appId: string,
  recipient: Record<string, unknown>,
  payload: PushPayload,
): Promise<PushDelivery[]> {
  const max = ctx.limits.maxPushDevicesPerDelivery;
  if (typeof recipient.deviceId === 'string') {
    const device = await ctx.pushStore.getPushDevice(appId, recipient.deviceId);
    return device ? [toDelivery(device, payload)] : [];
  }
  if (typeof recipient.clientId === 'string') {
    const devices = await devicesOfClient(ctx, appId, recipient.clientId, max);
    return devices.map((d) => toDelivery(d, payload));
  }
  return [{ appId, recipient: recipient as PushRecipient, payload }];
}

/**
 * The `ablyChannel` test transport: publishes the payload as a `__ably_push__` message whose data
 * is the payload's JSON text, on the recipient's channel, with the rights of the recipient's
 * `ablyKey` (so a registration cannot write where its key could not).
 */
function deliverToChannel(ctx: EngineContext, d: PushDelivery): PushOutcome {
  const { channel: name, ablyKey } = d.recipient;
  if (typeof name !== 'string' || typeof ablyKey !== 'string')
    return { status: 'failed', reason: 'ablyChannel recipient needs channel and ablyKey' };
  const now = ctx.clock.now();
  let appId: string;
  try {
    const auth = authenticate(
      ctx.apps,
      { key: ablyKey },
      undefined,
      now,
      ctx.revocations,
      ctx.limits,
    );
    if (!permits(auth.capability, name, 'publish'))
      return { status: 'failed', reason: `ablyKey may not publish to ${name}` };
    appId = auth.app.record.id;
  } catch {
    return { status: 'failed', reason: 'ablyKey is not a valid key here', invalidRecipient: true };
  }
  const base = randomId(9);
  const connectionId = `push${randomId(4)}`;
  const message: Message = {
    id: `${base}:0`,
    name: ABLY_PUSH_MESSAGE_NAME,
    data: JSON.stringify(d.payload),
    connectionId,
    timestamp: now,
  };
  ctx.channels.get(appId, name).publish(
    {
      connectionId,
      pmId: `${connectionId}:${base}`,
      timestamp: now,
      messages: [message],
      clientSuppliedIds: [false],
    },
    now,
  );
  return { status: 'sent' };
}

/**
 * Hands deliveries to their transport: `ablyChannel` ones are delivered here, the rest go
 * through the push outbox to the PushSender port (queued, retried, outcome recorded). One
 * outcome per delivery, in order: the first attempt's, for outbox ones.
 */
export async function dispatchPush(
  ctx: EngineContext,
  deliveries: readonly PushDelivery[],
): Promise<PushOutcome[]> {
  const outcomes: PushOutcome[] = new Array<PushOutcome>(deliveries.length);
  const external: number[] = [];
  for (const [i, d] of deliveries.entries()) {
    if (d.recipient.transportType !== 'ablyChannel') {
      external.push(i);
      continue;
    }
    outcomes[i] = deliverToChannel(ctx, d);
    await applyVerdict(ctx, d, outcomes[i]);
  }
  if (external.length > 0) {
    // The outbox tells applyVerdict of each attempt itself, retries included.
    const sent = await ctx.pushOutbox.submit(external.map((i) => deliveries[i]!));
    external.forEach((i, k) => {
      outcomes[i] = sent[k]!;
    });
  }
  return outcomes;
}

/**
 * What a failure says about the device: an unusable token marks it FAILED (RSH3: its state is
 * what `get` reports); an app the push service says is gone removes it (invalid tokens are
 * pruned, so nothing is sent to it again).
 */
export async function applyVerdict(
  ctx: EngineContext,
  d: PushDelivery,
  outcome: PushOutcome,
): Promise<void> {
  if (outcome.status !== 'failed' || d.deviceId === undefined) return;
  if (outcome.unregistered) {
    await removeUnregistered(ctx, d, outcome.reason);
  } else if (outcome.invalidRecipient) {
    const device = await ctx.pushStore.getPushDevice(d.appId, d.deviceId);
    if (device) await ctx.pushStore.savePushDevice({ ...device, state: 'FAILED' });
  }
}

/**
 * Removes a device the push service reported unregistered, unless it was registered again
 * since with another recipient (a reinstalled app gets a new token).
 */
export async function removeUnregistered(
  ctx: EngineContext,
  d: PushDelivery,
  reason: string,
): Promise<void> {
  if (d.deviceId === undefined) return;
  const device = await ctx.pushStore.getPushDevice(d.appId, d.deviceId);
  if (!device || JSON.stringify(device.recipient) !== JSON.stringify(d.recipient)) return;
  await ctx.pushStore.removePushDevices({ appId: d.appId, deviceId: d.deviceId });
  ctx.logger.info('push device removed: unregistered', {
    appId: d.appId,
    deviceId: d.deviceId,
    reason,
  });
}

/**
 * Pushes for a channel publish whose messages carry `extras.push` (RSH7 channel subscriptions):
 * every device subscribed to the channel directly or through its clientId gets the push once.
 * Runs after the publish is answered; failures are logged, never thrown back.
 */
export function pushForChannelMessages(
  ctx: EngineContext,
  app: App,
  channel: string,
  messages: readonly Message[],
): void {
  // Only channels whose namespace is pushEnabled turn extras.push into pushes (channel rules).
  if (ctx.apps.namespaceOf(app, channel)?.pushEnabled !== true) return;
  const appId = app.record.id;
  const payloads = messages.flatMap((m) => {
    const push = (m.extras as { push?: unknown } | undefined)?.push;
    return typeof push === 'object' && push !== null ? [push as PushPayload] : [];
  });
  if (payloads.length === 0) return;
  void (async () => {
    const max = ctx.limits.maxPushDevicesPerDelivery;
    const subs = await ctx.pushStore.listPushSubscriptions({ appId, channel }, { limit: max });
    const devices = new Map<string, PushDeviceRecord>();
    for (const s of subs.items) {
      if (devices.size >= max) break;
      const found =
        s.deviceId !== undefined
          ? [await ctx.pushStore.getPushDevice(appId, s.deviceId)]
          : await devicesOfClient(ctx, appId, s.clientId, max);
      for (const d of found) if (d && d.state !== 'FAILED') devices.set(d.id, d);
    }
    const deliveries = payloads.flatMap((p) => [...devices.values()].map((d) => toDelivery(d, p)));
    await dispatchPush(ctx, deliveries);
  })().catch((err: unknown) =>
    ctx.logger.warn('channel push failed', { channel, error: String(err) }),
  );
}
