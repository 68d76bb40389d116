import { Errors, permits, type Annotation } from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import { requireNamespaceRules } from '../auth/channel-access.js';
import { requireSummarizable } from '../channels/annotation-summary.js';
import type { PendingOutcome } from '../channels/write-outcome.js';
import { allowsMutableMessages } from '../channels/mutable-rule.js';
import type { EngineContext } from '../context.js';
import { requireWithinSize, resolveClientId } from './publish-checks.js';
import { withUserClaim } from '../chat/user-claim.js';

/**
 * Publishes one annotation from REST or realtime (RSAN1, RTAN1): the channel must allow mutable
 * messages (93002), the caller needs `annotation-publish` (40160), the clientId rules of messages
 * apply (RTL6g), the annotated message must exist (40400). Gives the annotation's serial; on a
 * persisted channel `committed` settles once it is stored (or rejects, e.g. 40400 for a message
 * the store does not hold either). On a cluster the outcome is a promise: the channel follows the
 * broker first, and the broker gives the serial.
 */
export function applyAnnotation(
  ctx: EngineContext,
  auth: AuthContext,
  channelName: string,
  raw: Annotation,
  publication: { connectionId: string; pmId: string; timestamp: number },
): PendingOutcome<string | null> {
  requireNamespaceRules(ctx.apps, auth, channelName);
  if (!permits(auth.capability, channelName, 'annotation-publish'))
    throw Errors.capabilityDenied('annotation-publish', channelName);
  if (!allowsMutableMessages(ctx.apps, auth, channelName))
    throw Errors.messageUpdatesNotEnabled(channelName);
  if (!raw.messageSerial) throw Errors.invalidParameter('An annotation needs a messageSerial');
  const clientId = resolveClientId(auth, raw.clientId);
  const annotation: Annotation = { ...raw, action: raw.action ?? 0 };
  if (clientId === undefined) delete annotation.clientId;
  else annotation.clientId = clientId;
  const extras = withUserClaim(auth, channelName, annotation.extras);
  if (extras !== undefined) annotation.extras = extras;
  requireWithinSize(annotation, ctx.limits);
  requireSummarizable(annotation);
  const appId = auth.app.record.id;
  // A persisted channel's messages outlive it in memory: it is opened to annotate them. On a
  // cluster every channel is opened, to follow the broker that holds its messages.
  const channel =
    ctx.clustered || ctx.channels.persistedState(appId, channelName)
      ? ctx.channels.get(appId, channelName)
      : ctx.channels.peek(appId, channelName);
  const annotate = (): PendingOutcome<string | null> => {
    const outcome = channel?.annotate(annotation, publication, ctx.clock.now());
    if (!outcome) throw Errors.notFound(`No message with serial ${raw.messageSerial}`);
    return outcome;
  };
  const ready = channel?.whenReady();
  return ready ? ready.then(annotate) : annotate();
}
