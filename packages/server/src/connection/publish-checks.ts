import { Errors, messageSize, type Message } from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import type { Limits } from '../limits.js';
import { withUserClaim } from '../chat/user-claim.js';

/**
 * Applies the clientId rules to one message (RTL6g, RSA8f): an identified publisher may only
 * publish as itself; an anonymous token may not name one; Basic auth or `*` may name anyone.
 */
export function resolveClientId(
  auth: AuthContext,
  claimed: string | undefined,
): string | undefined {
  if (claimed === undefined) return auth.clientId;
  if (auth.clientId !== undefined) {
    if (claimed !== auth.clientId) {
      throw Errors.invalidClientId(
        `Message clientId "${claimed}" does not match "${auth.clientId}"`,
      );
    }
    return claimed;
  }
  if (!auth.mayAssumeAnyClientId) {
    throw Errors.invalidClientId(`clientId "${claimed}" is not allowed for these credentials`);
  }
  return claimed;
}

/** Throws 40009 when a message, presence event or operation result is over maxMessageSize. */
export function requireWithinSize(m: Parameters<typeof messageSize>[0], limits: Limits): void {
  const size = messageSize(m);
  if (size > limits.maxMessageSize) throw Errors.messageTooLarge(size, limits.maxMessageSize);
}

/** Checks size and identity and stamps one inbound message for publishing. */
export function stampMessage(
  raw: Message,
  auth: AuthContext,
  limits: Limits,
  stamp: { id: string; connectionId: string; timestamp: number; channel: string },
): Message {
  const clientId = resolveClientId(auth, raw.clientId);
  requireWithinSize({ ...raw, clientId }, limits);
  const m: Message = { id: raw.id ?? stamp.id };
  if (raw.name !== undefined) m.name = raw.name;
  if (clientId !== undefined) m.clientId = clientId;
  m.connectionId = stamp.connectionId;
  m.timestamp = stamp.timestamp;
  if (raw.data !== undefined) m.data = raw.data;
  if (raw.encoding !== undefined) m.encoding = raw.encoding;
  // On a Chat room's channel the user claim is the server's to set (CHA-M2h).
  const extras = withUserClaim(auth, stamp.channel, raw.extras);
  if (extras !== undefined) m.extras = extras;
  return m;
}
