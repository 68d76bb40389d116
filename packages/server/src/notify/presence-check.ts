import type { EngineContext } from '../context.js';

/**
 * Whether the recipient is present on the channel: any of their connections counts, so a second
 * device that left does not hide the one still in the session. Reads this node's presence set,
 * which is the whole set until presence is shared between nodes.
 */
export function isPresent(
  ctx: EngineContext,
  appId: string,
  channel: string,
  clientId: string,
): boolean {
  const members = ctx.channels.peek(appId, channel)?.presence.members() ?? [];
  return members.some((m) => m.clientId === clientId);
}
