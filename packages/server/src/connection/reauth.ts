import { Action, Errors, isErrorInfo, type ProtocolMessage } from '@switchboard/protocol';
import { authenticate } from '../auth/authenticate.js';
import { logAuthFailure, sessionFields } from './connection-log.js';
import type { EngineContext } from '../context.js';
import { detachChannel } from './attach.js';
import { sendConnected, sendFatal } from './lifecycle.js';
import { permittedModes } from './modes.js';
import type { Session } from '../session/session.js';
import { armTokenTimers } from './token-timers.js';

/**
 * In-band AUTH (RTC8, RTN22): a new token replaces the connection's credentials without
 * touching its channels, except those the new capability no longer allows (ERROR 40160).
 * A token naming another clientId fails the connection (40102).
 */
export function handleAuth(ctx: EngineContext, session: Session, pm: ProtocolMessage): void {
  const transport = session.transport;
  if (!transport) return;
  const token = pm.auth?.accessToken;
  if (!token) {
    const error = Errors.tokenError('AUTH without accessToken');
    logAuthFailure(ctx, error, { on: 'auth', ...sessionFields(session) });
    sendFatal(ctx, transport, error);
    return;
  }
  let auth;
  try {
    auth = authenticate(
      ctx.apps,
      { token },
      session.auth.clientId,
      ctx.clock.now(),
      ctx.revocations,
      ctx.limits,
    );
    if (auth.app !== session.auth.app)
      throw Errors.incompatibleCredentials('Token is for another app');
  } catch (err) {
    const error = isErrorInfo(err) ? err : Errors.tokenError('Token rejected');
    logAuthFailure(ctx, error, { on: 'auth', ...sessionFields(session) });
    sendFatal(ctx, transport, error);
    return;
  }
  session.auth = auth;
  for (const [name, attachment] of [...session.attachments]) {
    const allowed = permittedModes(auth.capability, attachment.channel.name);
    if (allowed === 0) {
      detachChannel(ctx, session, name);
      session.send({
        action: Action.ERROR,
        channel: name,
        error: Errors.capabilityDenied('attach', attachment.channel.name).toJSON(),
      });
    } else {
      attachment.modes = attachment.requested & allowed;
    }
  }
  sendConnected(ctx, session);
  armTokenTimers(ctx, session);
}
