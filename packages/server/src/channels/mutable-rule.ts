import type { AppRegistry } from '../apps/app-registry.js';
import type { AuthContext } from '../auth/authenticate.js';

/** The suffix of the channel a Chat SDK room lives on (`<room>::$chat`). */
export const CHAT_CHANNEL_SUFFIX = '::$chat';

/**
 * Whether a channel allows updates, deletes, appends and annotations: its namespace has
 * `mutableMessages`, or it is a chat room's channel, which Ably makes mutable without any rule
 * (the Chat SDK's own tests use random room names).
 */
export function allowsMutableMessages(
  apps: AppRegistry,
  auth: AuthContext,
  channel: string,
): boolean {
  return (
    channel.endsWith(CHAT_CHANNEL_SUFFIX) ||
    apps.namespaceOf(auth.app, channel)?.mutableMessages === true
  );
}
