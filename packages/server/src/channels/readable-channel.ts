import type { EngineContext } from '../context.js';
import type { Channel } from './channel.js';

/**
 * The channel a read sees (history, presence, a message, its versions or annotations): on a
 * cluster the broker holds its log, so the channel follows it first (a node with no subscriber
 * there would otherwise know nothing). Undefined on one node when it does not exist: reads
 * create none there.
 */
export async function readableChannel(
  ctx: EngineContext,
  appId: string,
  name: string,
): Promise<Channel | undefined> {
  if (!ctx.clustered) return ctx.channels.peek(appId, name);
  const channel = ctx.channels.get(appId, name);
  await channel.whenReady();
  return channel;
}
