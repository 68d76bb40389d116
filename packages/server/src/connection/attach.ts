import {
  Action,
  Errors,
  Flag,
  isErrorInfo,
  parseChannelName,
  permits,
  type ErrorInfo,
  type ProtocolMessage,
} from '@switchboard/protocol';
import type { Channel } from '../channels/channel.js';
import { compileMessageFilter } from '../channels/message-filter.js';
import type { LogEntry } from '../channels/message-log.js';
import { parseSerial } from '../channels/serial.js';
import { requireNamespaceRules } from '../auth/channel-access.js';
import type { EngineContext } from '../context.js';
import { noteSubscriberChange } from '../webhooks/webhook-events.js';
import { randomId } from '../ids.js';
import { occupancyCategories } from '../channels/occupancy-events.js';
import { permittedModes, requestedModes } from './modes.js';
import { leaveChannel } from './presence-leave.js';
import { createAttachment, type Attachment } from '../session/attachment.js';
import type { Session } from '../session/session.js';
import { logLimit } from './connection-log.js';
import { controlCost, spendControlBudget } from './control-budget.js';
import { parseRewind, storedBacklog, storedRewind, type RewindRange } from './stored-backlog.js';
import { createDeltaEncoder } from '../delta/delta-frames.js';

/** Params Switchboard understands on ATTACH and echoes in ATTACHED (RTL4k1); others are dropped. */
const RECOGNISED_PARAMS = new Set(['rewind', 'modes', 'delta', 'occupancy']);

function channelError(session: Session, channel: string, error: ErrorInfo): void {
  session.send({ action: Action.ERROR, channel, error: error.toJSON() });
}

/**
 * Refuses an attach for now: DETACHED with the reason (RTL13b) makes the client retry after
 * its channelRetryTimeout, where ERROR (RTL14) would leave the channel FAILED for good. For what
 * passes, like the broker being down while the channel first loads.
 */
function attachLater(session: Session, channel: string, error: ErrorInfo): void {
  session.send({ action: Action.DETACHED, channel, error: error.toJSON() });
}

/**
 * How long an attach waits for the broker when the channel cannot load: a Redis restart of a
 * few seconds passes within it and the client's channelSerial is honoured. A refusal suspends
 * the channel, and ably-js then attaches afresh without its serial (RTP5a1): a reported gap,
 * but what was published meanwhile never reaches that subscriber. Well inside the client's
 * own attach timeout (realtimeRequestTimeout, 10 s): a restart, its append-only file loaded
 * and the nodes reconnected, takes several seconds.
 */
const BROKER_WAIT_MS = 8000;
const BROKER_RETRY_MS = 250;

/**
 * Per session, the attach of each channel that waits for the broker. A later ATTACH (the client
 * re-attaches on a resumed transport) or DETACH of the channel supersedes it: two ATTACHEDs
 * would each replay the backlog, and the subscriber would get those messages twice.
 */
const waiting = new WeakMap<Session, Map<string, object>>();

/** Runs the attach once the channel has loaded from the broker, trying until `deadline`. */
function attachWhenReady(
  ctx: EngineContext,
  session: Session,
  pm: ProtocolMessage,
  channel: Channel,
  loading: Promise<void>,
  deadline: number,
): void {
  const rawName = pm.channel ?? '';
  const turn = {};
  let pending = waiting.get(session);
  if (!pending) waiting.set(session, (pending = new Map()));
  pending.set(rawName, turn);
  const current = (): boolean =>
    session.machine.state !== 'closed' && pending.get(rawName) === turn;
  const attempt = (loaded: Promise<void>): void => {
    loaded.then(
      () => current() && handleAttach(ctx, session, pm),
      (err: unknown) => {
        if (!current()) return;
        if (ctx.clock.now() >= deadline) {
          pending.delete(rawName);
          attachLater(session, rawName, isErrorInfo(err) ? err : Errors.brokerUnavailable());
          return;
        }
        ctx.clock.setTimer(() => {
          if (!current()) return;
          const again = channel.whenReady();
          if (again) attempt(again);
          else handleAttach(ctx, session, pm);
        }, BROKER_RETRY_MS);
      },
    );
  };
  attempt(loading);
}

/** The most a client may replay that it cannot show it saw or could read from history. */
const MAX_UNPRIVILEGED_REPLAY = 100;

/** Parses `rewind`: a count of messages (at most 100) or a duration like `10s`, `2m`. */
function rewindBacklog(channel: Channel, rewind: string, now: number): LogEntry[] | undefined {
  const count = /^\d+$/.test(rewind) ? Number(rewind) : undefined;
  const entries = channel.latestEntries();
  if (count !== undefined)
    return count === 0 ? [] : entries.slice(-Math.min(count, MAX_UNPRIVILEGED_REPLAY));
  const m = /^(\d+)(s|m|h)$/.exec(rewind);
  if (!m) return undefined;
  const ms =
    Number(m[1]) * ({ s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 's' | 'm' | 'h'];
  return entries.filter((e) => e.timestamp >= now - ms).slice(-MAX_UNPRIVILEGED_REPLAY);
}

/**
 * Whether a resume from `fromSeq` may replay everything since: the attachment itself was entitled
 * to it, or the client could read it from history anyway. Otherwise a forged channelSerial would
 * hand a client without `history` the whole retained log.
 */
function mayReplayFrom(
  attachment: Attachment | undefined,
  fromSeq: number,
  canReadHistory: boolean,
): boolean {
  return canReadHistory || (attachment !== undefined && fromSeq >= attachment.entitledFromSeq);
}

/**
 * ATTACH (RTL4): check name and capability, grant modes, then in one synchronous step send
 * ATTACHED, the presence SYNC, the backlog (resume replay from `channelSerial`, RTL15b/RTN15c6,
 * or `rewind`), and only then mark the attachment live, so no live message is lost or doubled.
 */
export function handleAttach(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  const rawName = pm.channel ?? '';
  waiting.get(session)?.delete(rawName);
  let parsed;
  try {
    parsed = parseChannelName(rawName);
  } catch (err) {
    channelError(session, rawName, isErrorInfo(err) ? err : Errors.invalidChannelName(rawName));
    return;
  }
  const cap = session.auth.capability;
  const allowed = permittedModes(cap, parsed.name);
  if (allowed === 0) {
    channelError(session, rawName, Errors.capabilityDenied('attach', parsed.name));
    return;
  }
  try {
    requireNamespaceRules(ctx.apps, session.auth, parsed.name);
  } catch (err) {
    channelError(session, rawName, isErrorInfo(err) ? err : Errors.internalError());
    return;
  }
  const existing = session.attachments.get(rawName);
  if (!existing && session.attachments.size >= ctx.limits.maxChannelsPerConnection) {
    const error = Errors.tooManyChannels(ctx.limits.maxChannelsPerConnection);
    logLimit(ctx, session, error, { channel: rawName });
    channelError(session, rawName, error);
    return;
  }
  let filter;
  try {
    filter = parsed.filter ? compileMessageFilter(parsed.filter) : undefined;
  } catch (err) {
    channelError(session, rawName, isErrorInfo(err) ? err : Errors.invalidChannelName(rawName));
    return;
  }
  const params = { ...parsed.params, ...(pm.params ?? {}) };
  const requested = requestedModes(pm.flags, params);
  if (requested === undefined) {
    channelError(session, rawName, Errors.invalidParameter(`Invalid modes: ${params.modes}`));
    return;
  }
  const modes = requested & allowed;
  let channel: Channel;
  try {
    channel = ctx.channels.get(session.auth.app.record.id, parsed.name);
  } catch (err) {
    channelError(session, rawName, isErrorInfo(err) ? err : Errors.internalError());
    return;
  }
  // On a cluster the channel first catches up with the broker; then the attach runs afresh.
  const ready = channel.whenReady();
  if (ready) {
    attachWhenReady(ctx, session, pm, channel, ready, ctx.clock.now() + BROKER_WAIT_MS);
    return;
  }
  const now = ctx.clock.now();

  let flags = modes;
  let backlog: LogEntry[] = [];
  let attachSerial = channel.currentSerial();
  // A persisted channel's older log is in the store: read it before going live (below).
  let replayFromStore: number | undefined;
  let rewindFromStore: RewindRange | undefined;
  const resumeFrom = pm.channelSerial ? parseSerial(pm.channelSerial) : undefined;
  if (resumeFrom && resumeFrom.epoch === channel.epoch && resumeFrom.seq <= channel.currentSeq()) {
    const missed = channel.log.since(resumeFrom.seq);
    const entitled = mayReplayFrom(existing, resumeFrom.seq, permits(cap, parsed.name, 'history'));
    if (missed && entitled) {
      flags |= Flag.RESUMED;
      backlog = missed;
    } else if (missed) {
      // Continuity is not vouched for (no RESUMED): the client hears that it may have missed some.
      backlog = missed.slice(-MAX_UNPRIVILEGED_REPLAY);
      attachSerial = channel.serialOf(backlog[0] ? backlog[0].seq - 1 : channel.currentSeq());
    } else if (channel.persisted && entitled) {
      replayFromStore = resumeFrom.seq;
    }
  } else if (
    params.rewind !== undefined &&
    !pm.channelSerial &&
    !((pm.flags ?? 0) & Flag.ATTACH_RESUME)
  ) {
    const entries = rewindBacklog(channel, params.rewind, now);
    if (entries === undefined) {
      channelError(session, rawName, Errors.invalidParameter(`Invalid rewind: ${params.rewind}`));
      return;
    }
    // A persisted channel's memory may not reach back (after a restart): rewind reads the store.
    if (channel.persisted) rewindFromStore = parseRewind(params.rewind, now);
    backlog = entries;
    // The serial just before the backlog, so a drop mid-backlog resumes without loss.
    if (entries[0]) attachSerial = channel.serialOf(entries[0].seq - 1);
  }
  const pendingItems =
    replayFromStore !== undefined
      ? channel.currentSeq() - replayFromStore
      : rewindFromStore !== undefined
        ? MAX_UNPRIVILEGED_REPLAY
        : countItems(backlog);
  if (!spendControlBudget(ctx, session, controlCost(channel.presence.size() + pendingItems))) {
    const error = Errors.controlRateLimited();
    logLimit(ctx, session, error, { channel: rawName, operation: 'attach' });
    channelError(session, rawName, error);
    return;
  }

  const attachment = existing ?? createAttachment(session, channel, requested, rawName, filter);
  attachment.requested = requested;
  attachment.modes = modes;
  // `delta: 'vcdiff'` (RTL18/RTL19): each attach may turn it on or off (setOptions re-attaches).
  attachment.delta =
    params.delta === 'vcdiff' ? (attachment.delta ?? createDeltaEncoder(ctx.deltas)) : undefined;
  attachment.live = false;
  attachment.pendingAttach = undefined;
  session.attachments.set(rawName, attachment);
  const firstTime = !channel.subscribers.has(attachment);
  channel.subscribers.add(attachment);
  if (firstTime) noteSubscriberChange(ctx, channel, true);
  // Occupancy events are channel metadata: for a subscriber, or a key with channel-metadata.
  const seesMetadata =
    (modes & Flag.SUBSCRIBE) !== 0 || permits(cap, parsed.name, 'channel-metadata');
  ctx.occupancy.watch(
    channel,
    attachment,
    seesMetadata ? occupancyCategories(params.occupancy) : undefined,
  );
  const reply = { rawName, params: pm.params, flags, attachSerial };
  if (replayFromStore === undefined && rewindFromStore === undefined) {
    goLive(session, attachment, { ...reply, backlog });
    return;
  }
  const upToSeq = channel.currentSeq();
  const load =
    replayFromStore !== undefined
      ? storedBacklog(ctx, channel, replayFromStore, upToSeq, ctx.limits.historyMaxMessages).then(
          (stored) =>
            stored && {
              flags: flags | Flag.RESUMED,
              backlog: stored,
              attachSerial: reply.attachSerial,
            },
        )
      : storedRewind(ctx, channel, rewindFromStore!, upToSeq).then((stored) => ({
          flags,
          backlog: stored,
          // The serial just before the backlog, so a drop mid-backlog resumes without loss.
          attachSerial: stored[0] ? channel.serialOf(stored[0].seq - 1) : reply.attachSerial,
        }));
  const attempt = (attachment.pendingAttach = {});
  load
    .catch((err: unknown) => {
      ctx.logger.warn('reading stored backlog failed', {
        channel: channel.name,
        error: String(err),
      });
      return undefined;
    })
    .then((loaded) => {
      // Detached, re-attached or gone while the store was read: that later request answers.
      if (session.attachments.get(rawName) !== attachment || attachment.pendingAttach !== attempt)
        return;
      attachment.pendingAttach = undefined;
      goLive(session, attachment, loaded ? { ...reply, ...loaded } : { ...reply, backlog: [] });
    });
}

const countItems = (entries: LogEntry[]): number =>
  entries.reduce((n, e) => n + e.messages.length, 0);

/**
 * Sends ATTACHED, the presence SYNC and the backlog in one synchronous step, then marks the
 * attachment live, so no message is lost or doubled between the backlog and live delivery.
 */
function goLive(
  session: Session,
  attachment: Attachment,
  reply: {
    rawName: string;
    params: Record<string, string> | undefined;
    flags: number;
    attachSerial: string;
    backlog: LogEntry[];
  },
): void {
  const { channel } = attachment;
  const { rawName, backlog } = reply;
  let flags = reply.flags;
  if (backlog.length > 0) flags |= Flag.HAS_BACKLOG;
  const members = channel.presence.members();
  if (members.length > 0) flags |= Flag.HAS_PRESENCE;
  attachment.entitledFromSeq = Math.min(
    attachment.entitledFromSeq,
    backlog[0] ? backlog[0].seq - 1 : channel.currentSeq(),
  );
  const echoed: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.params ?? {}))
    if (RECOGNISED_PARAMS.has(k)) echoed[k] = v;
  const attached: ProtocolMessage = {
    action: Action.ATTACHED,
    channel: rawName,
    channelSerial: reply.attachSerial,
    flags,
  };
  if (Object.keys(echoed).length > 0) attached.params = echoed;
  session.send(attached);
  // The client has no delta base after an attach (RTL19c): what follows starts in full.
  attachment.delta?.reset();
  if (members.length > 0) {
    session.send({
      action: Action.SYNC,
      channel: rawName,
      channelSerial: `${randomId(6)}:`,
      presence: members,
    });
  }
  for (const entry of backlog) attachment.send(entry.frame);
  // Everything up to now reached the client through ATTACHED or the backlog; live starts after.
  attachment.liveFromSeq = channel.currentSeq();
  attachment.live = true;
}

/** DETACH (RTL5): stop delivery, leave this connection's members at once, reply DETACHED. */
export function handleDetach(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  const name = pm.channel ?? '';
  waiting.get(session)?.delete(name);
  detachChannel(ctx, session, name);
  session.send({ action: Action.DETACHED, channel: name });
}

/** Removes one attachment and the connection's members on that channel. */
export function detachChannel(ctx: EngineContext, session: Session, name: string): void {
  const attachment = session.attachments.get(name);
  if (!attachment) return;
  session.attachments.delete(name);
  if (attachment.channel.subscribers.delete(attachment))
    noteSubscriberChange(ctx, attachment.channel, false);
  session.presenceChannels?.delete(attachment.channel);
  leaveChannel(ctx, attachment.channel, session.id);
}
