import {
  Action,
  Errors,
  Flag,
  isErrorInfo,
  parseChannelName,
  type ProtocolMessage,
} from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import type { Session } from '../session/session.js';
import { handledAsResend } from './answers.js';
import { applyAnnotation } from './annotation-operation.js';
import { isLimitError, logLimit } from './connection-log.js';
import { ackOutcomes, checkInboundRate, nack } from './publish.js';

/**
 * ANNOTATION from a client (RTAN1): each annotation is checked and published like a message
 * (capability, mode, clientId, size, rate) and the ProtocolMessage is ACKed with their serials.
 */
export function handleAnnotation(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  const msgSerial = pm.msgSerial;
  if (msgSerial === undefined) {
    session.send({
      action: Action.ERROR,
      error: Errors.badRequest('ANNOTATION without msgSerial').toJSON(),
    });
    return;
  }
  if (handledAsResend(session, msgSerial)) return;
  try {
    const annotations = pm.annotations ?? [];
    if (annotations.length === 0) throw Errors.badRequest('No annotations to publish');
    checkInboundRate(ctx, session, annotations.length);
    const { name } = parseChannelName(pm.channel);
    const attachment = session.attachments.get(pm.channel ?? '');
    if (attachment && (attachment.requested & Flag.ANNOTATION_PUBLISH) === 0)
      throw Errors.modeNotGranted('annotation_publish', name);
    const timestamp = ctx.clock.now();
    const outcomes = annotations.map((a, i) =>
      applyAnnotation(ctx, session.auth, name, a, {
        connectionId: session.id,
        pmId: `${session.id}:${msgSerial}${annotations.length > 1 ? `:${i}` : ''}`,
        timestamp,
      }),
    );
    // On a persisted channel the ACK waits until every annotation is stored.
    ackOutcomes(session, msgSerial, outcomes);
  } catch (err) {
    nack(session, msgSerial, isErrorInfo(err) ? err : Errors.internalError());
    if (!isErrorInfo(err))
      ctx.logger.error('annotation failed', { connectionId: session.id, error: String(err) });
    else if (isLimitError(err)) logLimit(ctx, session, err, { channel: pm.channel });
  }
}
