import type { PresenceMessage } from '@switchboard/protocol';
import type { Channel } from '../channels/channel.js';
import type { LogEntry } from '../channels/message-log.js';
import { publishChannelLifecycle } from '../channels/meta-channels.js';
import type { EngineContext } from '../context.js';
import type { HistoryKind } from '../ports/history.js';
import type { WebhookEvent } from './webhook-envelope.js';

/** The webhook event of a write a channel has shown: the entry's own objects, not copies. */
export function webhookEventOf(channel: Channel, kind: HistoryKind, entry: LogEntry): WebhookEvent {
  const serial = entry.frame.pm.channelSerial ?? channel.serialOf(entry.seq);
  if (kind === 'presence')
    return {
      source: 'channel.presence',
      channel: channel.name,
      serial,
      at: entry.timestamp,
      presence: entry.messages as PresenceMessage[],
    };
  return {
    source: 'channel.message',
    channel: channel.name,
    serial,
    at: entry.timestamp,
    messages: entry.messages,
  };
}

/**
 * The channel's occupancy now (Ably's channel.occupancy source). The dispatcher keeps only the
 * latest one per channel in a batch, so a busy channel costs one item per batch, not one per change.
 */
export function occupancyEvent(channel: Channel, now: number): WebhookEvent {
  return {
    source: 'channel.occupancy',
    channel: channel.name,
    serial: `${channel.currentSerial()}:occupancy:${now}`,
    at: now,
    occupancy: { subscribers: channel.subscribers.size, presenceMembers: channel.presence.size() },
  };
}

/**
 * Emits an occupancy event on every change of subscribers, and `channel.opened` when a channel gets its first subscriber and `channel.closed` when its
 * last one goes (Ably's channel.lifecycle source). Call after changing `channel.subscribers`.
 */
export function noteSubscriberChange(ctx: EngineContext, channel: Channel, added: boolean): void {
  ctx.occupancy.changed(channel);
  const now = ctx.clock.now();
  if (ctx.webhooks.wants(channel.appId, 'channel.occupancy'))
    ctx.webhooks.emit(channel.appId, occupancyEvent(channel, now));
  const size = channel.subscribers.size;
  if (added ? size !== 1 : size !== 0) return;
  publishChannelLifecycle(ctx, channel, added);
  ctx.webhooks.emit(channel.appId, {
    source: 'channel.lifecycle',
    channel: channel.name,
    serial: `${channel.currentSerial()}:${added ? 'opened' : 'closed'}:${now}`,
    at: now,
    name: added ? 'channel.opened' : 'channel.closed',
  });
}
