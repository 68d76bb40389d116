import type { Message } from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import { randomId } from '../ids.js';
import type { Channel } from './channel.js';
import { channelDetails } from './channel-details.js';

/** The metachannel of channel lifecycle events (`channel.opened`, `channel.closed`). */
export const CHANNEL_LIFECYCLE = '[meta]channel.lifecycle';
/** The metachannel of connection lifecycle events (`connection.opened`, `connection.closed`). */
export const CONNECTION_LIFECYCLE = '[meta]connection.lifecycle';

/** Whether a channel is a metachannel: nobody publishes or enters presence there. */
export const isMetaChannel = (name: string): boolean => name.startsWith('[meta]');

/**
 * Publishes one event on an app's metachannel, as the server: only when the metachannel is in use
 * (someone attached to it, or it has recent events), so an app nobody watches pays nothing.
 */
function publishMeta(
  ctx: EngineContext,
  appId: string,
  metaChannel: string,
  name: string,
  data: unknown,
): void {
  const channel = ctx.channels.peek(appId, metaChannel);
  if (!channel) return;
  const now = ctx.clock.now();
  const pmId = `meta:${randomId(8)}`;
  const message: Message = {
    id: `${pmId}:0`,
    name,
    data: JSON.stringify(data),
    encoding: 'json',
    connectionId: 'meta',
    timestamp: now,
  };
  channel.publish(
    { connectionId: 'meta', pmId, timestamp: now, messages: [message], clientSuppliedIds: [false] },
    now,
  );
}

/** `channel.opened` when a channel gets its first attachment, `channel.closed` when its last goes. */
export function publishChannelLifecycle(
  ctx: EngineContext,
  channel: Channel,
  opened: boolean,
): void {
  if (isMetaChannel(channel.name)) return;
  publishMeta(
    ctx,
    channel.appId,
    CHANNEL_LIFECYCLE,
    opened ? 'channel.opened' : 'channel.closed',
    channelDetails(channel.name, channel),
  );
}

/** `connection.opened` / `connection.closed` with the connection's id and clientId. */
export function publishConnectionLifecycle(
  ctx: EngineContext,
  appId: string,
  connection: { id: string; clientId: string | undefined },
  opened: boolean,
): void {
  publishMeta(
    ctx,
    appId,
    CONNECTION_LIFECYCLE,
    opened ? 'connection.opened' : 'connection.closed',
    {
      connectionId: connection.id,
      ...(connection.clientId !== undefined ? { clientId: connection.clientId } : {}),
    },
  );
}
