import { Errors, type Message } from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import { requireChannelAccess } from '../auth/channel-access.js';
import type { EngineContext } from '../context.js';
import type { NewNotification, NotificationRecord } from '../ports/notification-store.js';
import type { PushDelivery } from '../ports/push-sender.js';
import { dispatchPush } from '../push/push-dispatch.js';
import { publishToChannel, stored } from '../rest/publish-core.js';
import { messageFor } from './catalog.js';
import type { NotifyRequest } from './notify-request.js';
import { isPresent } from './presence-check.js';
import { pushPayloadFor } from './push-message.js';

/** How a notification went: `delivered` and why, and how many devices a push reached. */
export interface NotifyResult {
  status: 'done';
  delivered: 'realtime' | 'push' | 'none';
  reason: string;
  devices: number;
  /** The log row's id, when the row could be written. */
  logId?: number;
}

/** A nudge refused by the limit: when the pair's next nudge is allowed. */
export interface NudgeRefused {
  status: 'limited';
  nextAllowedAt: number;
  reason: string;
  logId?: number;
}

/** The route taken for a notification that passed the nudge limit. */
interface Decision {
  outcome: 'realtime' | 'push' | 'none' | 'failed';
  reason: string;
  devices: number;
}

/** The event as a channel message: non-string data travels JSON-encoded, as ably-js sends it. */
function channelMessage(request: NotifyRequest): Message {
  const { event: name, data } = request;
  if (data === undefined) return { name };
  return typeof data === 'string'
    ? { name, data }
    : { name, data: JSON.stringify(data), encoding: 'json' };
}

/** The push to each of the recipient's devices that can still receive one. */
async function pushDeliveries(
  ctx: EngineContext,
  appId: string,
  request: NotifyRequest,
): Promise<PushDelivery[]> {
  const message = messageFor(ctx.notificationCatalog, appId, request.event, request.data);
  const payload = pushPayloadFor(request, message);
  const devices = await ctx.pushStore.listPushDevices(
    { appId, clientId: request.recipientClientId },
    { limit: ctx.limits.maxPushDevicesPerDelivery },
  );
  return devices.items
    .filter((d) => d.state !== 'FAILED')
    .map((d) => ({
      appId,
      deviceId: d.id,
      clientId: request.recipientClientId,
      recipient: d.recipient,
      payload,
    }));
}

/** Pushes to the recipient's devices; a recipient without one is an answer, not an error. */
async function deliverByPush(
  ctx: EngineContext,
  appId: string,
  request: NotifyRequest,
): Promise<Decision> {
  const absent = `${request.recipientClientId} is not present on ${request.presenceChannel}`;
  const deliveries = await pushDeliveries(ctx, appId, request);
  if (deliveries.length === 0)
    return { outcome: 'none', reason: `${absent} and has no push device`, devices: 0 };
  const outcomes = await dispatchPush(ctx, deliveries);
  const sent = outcomes.filter((o) => o.status === 'sent').length;
  if (sent > 0)
    return {
      outcome: 'push',
      reason: `${absent}; pushed to ${sent} of ${deliveries.length} device(s)`,
      devices: sent,
    };
  const why = outcomes.find((o) => o.status === 'failed');
  return {
    outcome: 'failed',
    reason: `${absent}; the push failed on every device${why?.status === 'failed' ? `: ${why.reason}` : ''}`,
    devices: 0,
  };
}

/**
 * Writes the log row. A log that cannot be written must not turn a delivered notification into
 * an error (the caller would retry and notify twice), so the failure is logged and the row lost.
 */
async function record(
  ctx: EngineContext,
  row: NewNotification,
): Promise<NotificationRecord | undefined> {
  try {
    return await ctx.notificationLog.appendNotification(row);
  } catch (err) {
    ctx.logger.warn('notification log write failed', { error: String(err) });
    return undefined;
  }
}

/**
 * `notify`: publishes the event on the channel when the recipient is present on the presence
 * channel, otherwise pushes the catalog's message to their devices; a nudge first takes the
 * (sender, recipient) slot of the nudge limit. Every decision is written to the notification log.
 * The caller needs `publish` on the channel (and `presence` on a separate presence channel,
 * whose membership the answer reveals); the sender is the caller's clientId.
 */
export async function notify(
  ctx: EngineContext,
  auth: AuthContext,
  request: NotifyRequest,
): Promise<NotifyResult | NudgeRefused> {
  requireChannelAccess(ctx.apps, auth, request.channel, 'publish');
  if (request.presenceChannel !== request.channel)
    requireChannelAccess(ctx.apps, auth, request.presenceChannel, 'presence');
  const appId = auth.app.record.id;
  const sender = auth.clientId;
  const now = ctx.clock.now();
  const base = {
    appId,
    timestamp: now,
    kind: request.kind,
    channel: request.channel,
    presenceChannel: request.presenceChannel,
    event: request.event,
    recipientClientId: request.recipientClientId,
    ...(sender === undefined ? {} : { senderClientId: sender }),
  };
  if (request.kind === 'nudge') {
    // The limit is per person: without a verified sender there is nobody to count against.
    if (sender === undefined)
      throw Errors.invalidClientId('A nudge needs an identified sender (a clientId)');
    const claim = await ctx.notificationLog.claimNudge(
      { appId, senderClientId: sender, recipientClientId: request.recipientClientId },
      now,
      ctx.limits.nudgeIntervalMs,
    );
    if (!claim.allowed) {
      const reason = `nudge limit: ${sender} nudged ${request.recipientClientId} less than ${ctx.limits.nudgeIntervalMs} ms ago; next allowed at ${new Date(claim.nextAllowedAt).toISOString()}`;
      const row = await record(ctx, { ...base, outcome: 'suppressed', reason, devices: 0 });
      return {
        status: 'limited',
        nextAllowedAt: claim.nextAllowedAt,
        reason,
        ...(row ? { logId: row.id } : {}),
      };
    }
  }
  let decision: Decision;
  if (isPresent(ctx, appId, request.presenceChannel, request.recipientClientId)) {
    try {
      const pending = publishToChannel(ctx, auth, request.channel, [channelMessage(request)]);
      await stored(pending.committed);
    } catch (err) {
      await record(ctx, {
        ...base,
        outcome: 'failed',
        reason: `publish failed: ${String(err)}`,
        devices: 0,
      });
      throw err;
    }
    decision = {
      outcome: 'realtime',
      reason: `${request.recipientClientId} is present on ${request.presenceChannel}; published on ${request.channel}`,
      devices: 0,
    };
  } else {
    decision = await deliverByPush(ctx, appId, request);
  }
  const row = await record(ctx, { ...base, ...decision });
  return {
    status: 'done',
    delivered: decision.outcome === 'failed' ? 'none' : decision.outcome,
    reason: decision.reason,
    devices: decision.devices,
    ...(row ? { logId: row.id } : {}),
  };
}
