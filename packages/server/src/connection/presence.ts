import {
  Action,
  Errors,
  Flag,
  PresenceAction,
  isErrorInfo,
  parseChannelName,
  type PresenceMessage,
  type ProtocolMessage,
} from '@switchboard/protocol';
import { requireChannelAccess } from '../auth/channel-access.js';
import type { Channel } from '../channels/channel.js';
import type { EngineContext } from '../context.js';
import { randomId } from '../ids.js';
import { handledAsResend } from './answers.js';
import { ackWhenStored, checkInboundRate, nack } from './publish.js';
import { requireWithinSize } from './publish-checks.js';
import { isLimitError, logLimit } from './connection-log.js';
import { controlCost, spendControlBudget } from './control-budget.js';
import type { Session } from '../session/session.js';
import { withUserClaim } from '../chat/user-claim.js';

function presenceClientId(session: Session, claimed: string | undefined): string {
  const auth = session.auth;
  const clientId = claimed ?? auth.clientId;
  if (clientId === undefined) throw Errors.presenceWithoutClientId();
  // enterClient on behalf of others needs Basic auth or a wildcard token (RTP14, RTP15).
  if (clientId !== auth.clientId && auth.method !== 'basic' && !auth.mayAssumeAnyClientId) {
    throw Errors.invalidClientId(
      `Cannot use clientId "${clientId}" for presence on this connection`,
    );
  }
  return clientId;
}

/**
 * PRESENCE from a client (RTP8–RTP10): capability and mode checks, identity from the verified
 * clientId, member-set update, broadcast of what changed, ACK.
 */
export function handlePresence(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  const msgSerial = pm.msgSerial;
  if (msgSerial === undefined) return;
  if (handledAsResend(session, msgSerial)) return;
  try {
    const items = pm.presence ?? [];
    checkInboundRate(ctx, session, Math.max(1, items.length));
    const { name } = parseChannelName(pm.channel);
    requireChannelAccess(ctx.apps, session.auth, name, 'presence');
    const attachment = session.attachments.get(pm.channel ?? '');
    if (attachment && (attachment.requested & Flag.PRESENCE) === 0)
      throw Errors.modeNotGranted('presence', name);
    const channel = ctx.channels.get(session.auth.app.record.id, name);
    // On a cluster the member set is checked once the channel follows the broker; the answer
    // waits in its turn, so answers stay in msgSerial order.
    const ready = channel.whenReady();
    if (ready) {
      const applied = ready.then(() => applyPresence(ctx, session, channel, pm, msgSerial));
      ackWhenStored(session, msgSerial, null, applied);
      return;
    }
    ackWhenStored(session, msgSerial, null, applyPresence(ctx, session, channel, pm, msgSerial));
  } catch (err) {
    nack(session, msgSerial, isErrorInfo(err) ? err : Errors.internalError());
    if (!isErrorInfo(err))
      ctx.logger.error('presence update failed', { connectionId: session.id, error: String(err) });
    else if (isLimitError(err)) logLimit(ctx, session, err, { channel: pm.channel });
  }
}

/** Applies a PRESENCE frame's items to the member set and broadcasts what changed. */
function applyPresence(
  ctx: EngineContext,
  session: Session,
  channel: Channel,
  pm: ProtocolMessage,
  msgSerial: number,
): Promise<void> | undefined {
  const items = pm.presence ?? [];
  const maxMembers =
    session.auth.app.record.limits?.presenceMaxMembers ?? ctx.limits.maxPresenceMembers;
  const now = ctx.clock.now();
  const events: PresenceMessage[] = [];
  // Every item is checked before any is applied, so a refused frame changes nothing.
  const clientIds = items.map((item) => {
    const clientId = presenceClientId(session, item.clientId);
    requireWithinSize({ ...item, clientId }, ctx.limits);
    return clientId;
  });
  items.forEach((item, i) => {
    const clientId = clientIds[i]!;
    if (item.action !== PresenceAction.LEAVE && !channel.presence.has(clientId, session.id)) {
      if (channel.presence.size() >= maxMembers) throw Errors.tooManyPresenceMembers(maxMembers);
    }
    const event: PresenceMessage & { clientId: string; connectionId: string } = {
      action: item.action === PresenceAction.PRESENT ? PresenceAction.ENTER : item.action,
      id: item.id ?? `${session.id}:${msgSerial}:${i}`,
      clientId,
      connectionId: session.id,
      timestamp: now,
    };
    if (item.data !== undefined) event.data = item.data;
    if (item.encoding !== undefined) event.encoding = item.encoding;
    const extras = withUserClaim(session.auth, channel.name, item.extras);
    if (extras !== undefined) event.extras = extras;
    const broadcast = channel.presence.apply(event);
    if (broadcast) events.push(broadcast);
    // A re-enter after a resume from another node: the member is that node's in the broker
    // until this node writes it, or it would leave when that node is reaped.
    else if (session.adoptedFrom !== undefined && event.action !== PresenceAction.LEAVE)
      events.push(event);
  });
  if (items.some((item) => item.action !== PresenceAction.LEAVE))
    (session.presenceChannels ??= new Set()).add(channel);
  return channel.broadcastPresence(events, `${session.id}:${msgSerial}`, session.id, now);
}

/**
 * A client-requested SYNC (RTP19): send the whole member set again, if the connection's control
 * budget allows; a flood of requests is ignored rather than answered with megabytes.
 */
export function handleSyncRequest(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  const attachment = session.attachments.get(pm.channel ?? '');
  if (!attachment) return;
  const presence = attachment.channel.presence;
  if (!spendControlBudget(ctx, session, controlCost(presence.size()))) {
    logLimit(ctx, session, Errors.controlRateLimited(), {
      channel: pm.channel,
      operation: 'sync',
    });
    return;
  }
  session.send({
    action: Action.SYNC,
    channel: pm.channel ?? '',
    channelSerial: `${randomId(6)}:`,
    presence: presence.members(),
  });
}
