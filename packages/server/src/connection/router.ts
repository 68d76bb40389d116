import {
  Action,
  Errors,
  decodeJson,
  isErrorInfo,
  parseProtocolMessage,
  type ProtocolMessage,
} from '@switchboard/protocol';
import { decodeMsgpack } from '@switchboard/protocol/msgpack';
import type { EngineContext } from '../context.js';
import { handleAnnotation } from './annotation.js';
import { handleAttach, handleDetach } from './attach.js';
import { closeSession, sendFatal, transportLost } from './lifecycle.js';
import { handlePresence, handleSyncRequest } from './presence.js';
import { handlePublish } from './publish.js';
import { handleAuth } from './reauth.js';
import type { Session } from '../session/session.js';

/** Decodes one inbound frame per the connection's format; size is checked before parsing. */
function decodeFrame(ctx: EngineContext, session: Session, data: Buffer | string): ProtocolMessage {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  if (size > ctx.limits.maxFrameSize) {
    throw Errors.badRequest(
      `Frame of ${size} bytes exceeds maxFrameSize ${ctx.limits.maxFrameSize}`,
    );
  }
  let raw: unknown;
  try {
    raw =
      session.options.format === 'json'
        ? decodeJson(typeof data === 'string' ? data : data.toString('utf8'))
        : decodeMsgpack(typeof data === 'string' ? Buffer.from(data) : data);
  } catch {
    throw Errors.badRequest(`Undecodable ${session.options.format} frame`);
  }
  return parseProtocolMessage(raw);
}

/** Best-effort recovery of msgSerial/channel from a frame that failed validation. */
function answerInvalid(
  session: Session,
  data: Buffer | string,
  error: ReturnType<typeof Errors.badRequest>,
): boolean {
  let raw: unknown;
  try {
    raw =
      session.options.format === 'json' ? JSON.parse(String(data)) : decodeMsgpack(data as Buffer);
  } catch {
    return false;
  }
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  if (
    (r.action === Action.MESSAGE ||
      r.action === Action.PRESENCE ||
      r.action === Action.ANNOTATION) &&
    typeof r.msgSerial === 'number'
  ) {
    session.send({ action: Action.NACK, msgSerial: r.msgSerial, count: 1, error: error.toJSON() });
    return true;
  }
  return false;
}

/** Dispatches one client frame. A frame that cannot be understood ends only this connection. */
export function receiveFrame(ctx: EngineContext, session: Session, data: Buffer | string): void {
  const transport = session.transport;
  if (!transport) return;
  let pm: ProtocolMessage;
  try {
    pm = decodeFrame(ctx, session, data);
  } catch (err) {
    const error = isErrorInfo(err) ? err : Errors.badRequest('Malformed frame');
    if (!answerInvalid(session, data, error)) sendFatal(ctx, transport, error);
    return;
  }
  try {
    dispatch(ctx, session, pm);
  } catch (err) {
    if (!isErrorInfo(err))
      ctx.logger.error('frame handler failed', {
        connectionId: session.id,
        action: pm.action,
        error: String(err),
      });
    sendFatal(ctx, transport, isErrorInfo(err) ? err : Errors.internalError());
  }
}

function dispatch(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  switch (pm.action) {
    case Action.HEARTBEAT:
      session.send(
        pm.id !== undefined
          ? { action: Action.HEARTBEAT, id: pm.id }
          : { action: Action.HEARTBEAT },
      );
      return;
    case Action.MESSAGE:
      return handlePublish(ctx, session, pm);
    case Action.PRESENCE:
      return handlePresence(ctx, session, pm);
    case Action.ANNOTATION:
      return handleAnnotation(ctx, session, pm);
    case Action.ATTACH:
      return handleAttach(ctx, session, pm);
    case Action.DETACH:
      return handleDetach(ctx, session, pm);
    case Action.SYNC:
      return handleSyncRequest(ctx, session, pm);
    case Action.AUTH:
      return handleAuth(ctx, session, pm);
    case Action.CLOSE:
      return closeSession(ctx, session);
    case Action.DISCONNECT: {
      const transport = session.transport;
      if (transport) {
        transportLost(ctx, session, transport);
        transport.close();
      }
      return;
    }
    default:
      if (typeof pm.msgSerial === 'number') {
        session.send({
          action: Action.NACK,
          msgSerial: pm.msgSerial,
          count: 1,
          error: Errors.badRequest(`Unsupported action ${pm.action}`).toJSON(),
        });
        return;
      }
      // Unknown actions without a serial are ignored, as ably-js ignores ones it does not know.
      ctx.logger.debug('ignored unknown action', { action: pm.action, connectionId: session.id });
  }
}
