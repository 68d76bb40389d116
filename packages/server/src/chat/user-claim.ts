import type { AuthContext } from '../auth/authenticate.js';

const CHAT_SUFFIX = '::$chat';

/** The JWT claims that name a user claim per room: `ably.room.<room>` → value. */
export const ROOM_CLAIM_PREFIX = 'ably.room.';

/**
 * Whether a channel is a Chat room's, and the caller's user claim there: for `R::$chat`, the
 * `ably.room.R` claim of the caller's JWT. Undefined for any other channel.
 */
export function chatUserClaim(
  auth: AuthContext,
  channel: string,
): { claim: string | undefined } | undefined {
  if (!channel.endsWith(CHAT_SUFFIX) || channel.startsWith('[')) return undefined;
  return { claim: auth.roomClaims?.[channel.slice(0, -CHAT_SUFFIX.length)] };
}

/**
 * Extras with the server's `userClaim` on a Chat room's channel: the caller's claim if it has
 * one, and never a claim the client wrote itself. Other channels' extras are left alone.
 */
export function withUserClaim(auth: AuthContext, channel: string, extras: unknown): unknown {
  const room = chatUserClaim(auth, channel);
  if (!room) return extras;
  const base =
    typeof extras === 'object' && extras !== null ? { ...(extras as Record<string, unknown>) } : {};
  delete base.userClaim;
  if (room.claim !== undefined) base.userClaim = room.claim;
  return Object.keys(base).length > 0 || extras !== undefined ? base : undefined;
}
