import {
  Errors,
  MessageAction,
  permits,
  type Message,
  type MessageVersion,
} from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import { requireNamespaceRules } from '../auth/channel-access.js';
import { nextVersion } from '../channels/message-versions.js';
import { allowsMutableMessages } from '../channels/mutable-rule.js';
import { withUserClaim } from '../chat/user-claim.js';
import type { Channel } from '../channels/channel.js';
import type { PendingOutcome } from '../channels/write-outcome.js';
import type { EngineContext } from '../context.js';
import { requireWithinSize } from './publish-checks.js';

/** Whether a message asks to change an earlier one rather than publish a new one. */
export function isOperation(m: Message): boolean {
  return (
    m.action === MessageAction.UPDATE ||
    m.action === MessageAction.DELETE ||
    m.action === MessageAction.APPEND
  );
}

/**
 * Applies an update, delete or append (RSL15, RTL32) from REST or realtime: the namespace must
 * allow mutable messages (93002), the caller needs message-update/delete-any, or -own on its own
 * message; the original must still be known (40400). Gives the version serial, and for a
 * persisted channel when the operation is stored. On a cluster the outcome is a promise: the
 * channel follows the broker first, and the broker gives the version serial.
 */
export function applyMessageOperation(
  ctx: EngineContext,
  auth: AuthContext,
  channelName: string,
  operation: Message,
  publication: { connectionId: string; pmId: string; timestamp: number; index?: number },
): PendingOutcome<string | null> {
  if (!operation.serial) throw Errors.messageWithoutSerial();
  requireNamespaceRules(ctx.apps, auth, channelName);
  if (!allowsMutableMessages(ctx.apps, auth, channelName)) {
    throw Errors.messageUpdatesNotEnabled(channelName);
  }
  const channel = ctx.channels.get(auth.app.record.id, channelName);
  const ready = channel.whenReady();
  return ready
    ? ready.then(() => operate(ctx, auth, channel, operation, publication))
    : operate(ctx, auth, channel, operation, publication);
}

/** The operation on a channel that knows its messages (on a cluster: follows the broker). */
function operate(
  ctx: EngineContext,
  auth: AuthContext,
  channel: Channel,
  operation: Message,
  publication: { connectionId: string; pmId: string; timestamp: number; index?: number },
): PendingOutcome<string | null> {
  const channelName = channel.name;
  const serial = operation.serial!;
  const original = channel.latestVersion(serial);
  if (!original) throw Errors.notFound(`No message with serial ${serial}`);
  const kind = operation.action === MessageAction.DELETE ? 'delete' : 'update';
  const own = original.clientId !== undefined && original.clientId === auth.clientId;
  if (
    !permits(auth.capability, channelName, `message-${kind}-any`) &&
    !(own && permits(auth.capability, channelName, `message-${kind}-own`))
  ) {
    throw Errors.capabilityDenied(`message-${kind}`, channelName);
  }
  // Who changed the message is the verified identity; only credentials that may publish as
  // anyone (RSA8f) may name someone else.
  const clientId =
    auth.clientId ?? (auth.mayAssumeAnyClientId ? operation.version?.clientId : undefined);
  requireWithinSize(operation, ctx.limits);
  requireWithinSize(nextVersion(original, operation), ctx.limits);
  const extras = withUserClaim(auth, channelName, operation.extras);
  const outcome = channel.publishOperation(
    {
      ...operation,
      ...(extras !== undefined ? { extras } : {}),
      version: versionWithClientId(operation, clientId),
    },
    publication,
    ctx.clock.now(),
  );
  if (outcome === undefined) throw Errors.notFound(`No message with serial ${serial}`);
  return outcome;
}

function versionWithClientId(operation: Message, clientId: string | undefined): MessageVersion {
  const { clientId: _claimed, ...version } = operation.version ?? {};
  return clientId ? { ...version, clientId } : version;
}
