import { PresenceAction, type PresenceMessage } from '@switchboard/protocol';
import type { Channel } from '../channels/channel.js';
import type { EngineContext } from '../context.js';
import type { Session } from '../session/session.js';
import { randomId } from '../ids.js';

/**
 * A LEAVE the server makes on a member's behalf. Its id does not start with the member's
 * connectionId, so clients compare it by timestamp (spec RTP2b1) and apply it.
 */
export function synthesizedLeave(member: PresenceMessage, now: number): PresenceMessage {
  const leave: PresenceMessage = {
    action: PresenceAction.LEAVE,
    id: `synth${randomId(6)}:0:0`,
    timestamp: now,
  };
  if (member.clientId !== undefined) leave.clientId = member.clientId;
  if (member.connectionId !== undefined) leave.connectionId = member.connectionId;
  if (member.data !== undefined) leave.data = member.data;
  if (member.encoding !== undefined) leave.encoding = member.encoding;
  return leave;
}

/** How often a LEAVE the broker refused is tried again, and for how long. */
const LEAVE_RETRY_MS = 1000;
const LEAVE_RETRY_FOR_MS = 5 * 60_000;

/**
 * Removes a connection's members from a channel and tells everyone. On a cluster the members
 * are left in the broker's shared set when it refuses the LEAVE (Redis down): the node that
 * removed them here keeps trying until the broker takes it, since no lease will reap the
 * members of a node that stays alive.
 */
export function leaveChannel(ctx: EngineContext, channel: Channel, connectionId: string): void {
  const now = ctx.clock.now();
  const leaves = channel.presence.removeConnection(connectionId, (m) => synthesizedLeave(m, now));
  if (leaves.length > 0) broadcastLeaves(ctx, channel, leaves, now + LEAVE_RETRY_FOR_MS);
}

function broadcastLeaves(
  ctx: EngineContext,
  channel: Channel,
  leaves: PresenceMessage[],
  giveUpAt: number,
): void {
  const now = ctx.clock.now();
  const stamped = leaves.map((leave) => ({ ...leave, timestamp: now }));
  const committed = channel.broadcastPresence(stamped, `synth${randomId(6)}:0`, undefined, now);
  if (!committed || !ctx.clustered) return;
  committed.catch(() => {
    if (ctx.clock.now() >= giveUpAt) return;
    setTimeout(() => broadcastLeaves(ctx, channel, leaves, giveUpAt), LEAVE_RETRY_MS).unref();
  });
}

/**
 * Removes every member the connection has, on channels it attached and on channels where it
 * entered without attaching.
 */
export function leaveAllChannels(ctx: EngineContext, session: Session): void {
  const channels = new Set(session.presenceChannels);
  for (const attachment of session.attachments.values()) channels.add(attachment.channel);
  session.presenceChannels = undefined;
  for (const channel of channels) leaveChannel(ctx, channel, session.id);
}
