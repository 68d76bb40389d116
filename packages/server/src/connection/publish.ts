import { pushForChannelMessages } from '../push/push-dispatch.js';
import {
  Action,
  Errors,
  Flag,
  isErrorInfo,
  parseChannelName,
  type ErrorInfo,
  type ProtocolMessage,
  type PublishResult,
} from '@switchboard/protocol';
import { requireChannelAccess } from '../auth/channel-access.js';
import type { EngineContext } from '../context.js';
import { isLimitError, logLimit } from './connection-log.js';
import { answer, handledAsResend, type Answer } from './answers.js';
import { applyMessageOperation, isOperation } from './message-operation.js';
import type { PendingOutcome, WriteOutcome } from '../channels/write-outcome.js';
import { recordInbound } from '../stats/record-inbound.js';
import { stampMessage } from './publish-checks.js';
import type { Session } from '../session/session.js';

/** ACKs one ProtocolMessage; `res` carries the message serials (protocol v5+). */
export function ack(session: Session, msgSerial: number, result: PublishResult | null): void {
  answer(session, msgSerial, { result });
}

/** NACKs one ProtocolMessage with the reason. */
export function nack(session: Session, msgSerial: number, error: ErrorInfo): void {
  answer(session, msgSerial, { error });
}

/** ACKs once `committed` settles (NACKs if the write could not be stored); at once without one. */
export function ackWhenStored(
  session: Session,
  msgSerial: number,
  result: PublishResult | null,
  committed: Promise<void> | undefined,
): void {
  if (!committed) return ack(session, msgSerial, result);
  answer(
    session,
    msgSerial,
    committed.then(
      (): Answer => ({ result }),
      (err: unknown): Answer => ({ error: isErrorInfo(err) ? err : Errors.storeUnavailable() }),
    ),
  );
}

/**
 * ACKs a publish of changes (updates, deletes, appends, annotations) with their serials once all
 * are stored; NACKs with the first failure. On a cluster the outcomes are promises.
 */
export function ackOutcomes(
  session: Session,
  msgSerial: number,
  outcomes: PendingOutcome<string | null>[],
): void {
  const settled = outcomes.filter((o): o is WriteOutcome<string | null> => !(o instanceof Promise));
  if (settled.length === outcomes.length) {
    const pending = settled.flatMap((o) => (o.committed ? [o.committed] : []));
    const committed = pending.length > 0 ? Promise.all(pending).then(() => {}) : undefined;
    return ackWhenStored(session, msgSerial, { serials: settled.map((o) => o.result) }, committed);
  }
  const done = Promise.all(outcomes).then(async (written): Promise<Answer> => {
    await Promise.all(written.map((o) => o.committed));
    return { result: { serials: written.map((o) => o.result) } };
  });
  answer(
    session,
    msgSerial,
    done.catch((err: unknown): Answer => ({
      error: isErrorInfo(err) ? err : Errors.storeUnavailable(),
    })),
  );
}

/** Counts inbound publishes against maxInboundRate; throws 42910 over it. */
export function checkInboundRate(ctx: EngineContext, session: Session, count: number): void {
  const now = ctx.clock.now();
  if (now - session.inboundWindowStart >= 1000) {
    session.inboundWindowStart = now;
    session.inboundCount = 0;
  }
  session.inboundCount += count;
  if (session.inboundCount > ctx.limits.maxInboundRate)
    throw Errors.rateLimited(ctx.limits.maxInboundRate);
}

/**
 * MESSAGE from a client (RTL6): capability and mode checks on this very operation (publishing
 * does not require an attach, RTL6c5), clientId rules, size, idempotency, then fan-out and ACK.
 */
export function handlePublish(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  const msgSerial = pm.msgSerial;
  if (msgSerial === undefined) {
    session.send({
      action: Action.ERROR,
      error: Errors.badRequest('MESSAGE without msgSerial').toJSON(),
    });
    return;
  }
  if (handledAsResend(session, msgSerial)) return;
  try {
    const messages = pm.messages ?? [];
    checkInboundRate(ctx, session, Math.max(1, messages.length));
    if (pm.params?._forceNack === 'true') throw Errors.forcedNack();
    const { name } = parseChannelName(pm.channel);
    if (messages.some(isOperation)) {
      // Updates, deletes and appends (RTL32) answer with their version serials.
      const publication = {
        connectionId: session.id,
        pmId: `${session.id}:${msgSerial}`,
        timestamp: ctx.clock.now(),
      };
      const outcomes = messages.map((m, index) => {
        if (!isOperation(m))
          throw Errors.badRequest('Do not mix new messages with updates in one publish');
        return applyMessageOperation(ctx, session.auth, name, m, { ...publication, index });
      });
      ackOutcomes(session, msgSerial, outcomes);
      return;
    }
    requireChannelAccess(ctx.apps, session.auth, name, 'publish');
    const attachment = session.attachments.get(pm.channel ?? '');
    if (attachment && (attachment.requested & Flag.PUBLISH) === 0)
      throw Errors.modeNotGranted('publish', name);
    const timestamp = ctx.clock.now();
    const stamped = messages.map((m, i) =>
      stampMessage(m, session.auth, ctx.limits, {
        id: `${session.id}:${msgSerial}:${i}`,
        connectionId: session.id,
        timestamp,
        channel: name,
      }),
    );
    const channel = ctx.channels.get(session.auth.app.record.id, name);
    const shareIds = ctx.sessionSharing !== undefined;
    const { result: serials, committed } = channel.publish(
      {
        connectionId: session.id,
        pmId: `${session.id}:${msgSerial}`,
        timestamp,
        messages: stamped,
        // With connections resumable on another node, every id counts: a publish resent there
        // after its first copy reached the broker keeps its id and is dropped as a repeat.
        clientSuppliedIds: messages.map((m) => shareIds || m.id !== undefined),
        // The local check above is the cheap first gate; on a cluster the broker counts the
        // same budget across nodes in the publish's own script, so a resume elsewhere does not
        // start a fresh one.
        ...(ctx.clustered ? { inboundLimit: ctx.limits.maxInboundRate } : {}),
      },
      timestamp,
    );
    recordInbound(ctx, channel.appId, 'realtime', stamped, timestamp);
    // On a persisted channel only what was stored is audited and pushed.
    const record = (): void => {
      ctx.audit.eventLog.record(channel.appId, name, 'realtime', stamped);
      pushForChannelMessages(ctx, session.auth.app, name, stamped);
    };
    if (committed) committed.then(record, () => {});
    else record();
    session.messagesIn += stamped.length;
    ackWhenStored(session, msgSerial, { serials }, committed);
  } catch (err) {
    nack(session, msgSerial, isErrorInfo(err) ? err : Errors.internalError());
    if (!isErrorInfo(err))
      ctx.logger.error('publish failed', { connectionId: session.id, error: String(err) });
    else if (isLimitError(err)) logLimit(ctx, session, err, { channel: pm.channel });
  }
}
