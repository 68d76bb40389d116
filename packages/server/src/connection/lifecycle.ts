import { publishConnectionLifecycle } from '../channels/meta-channels.js';
import {
  Action,
  Errors,
  isErrorInfo,
  type ConnectionDetails,
  type ErrorInfo,
} from '@switchboard/protocol';
import { authenticate, type Credentials } from '../auth/authenticate.js';
import type { EngineContext } from '../context.js';
import { noteSubscriberChange } from '../webhooks/webhook-events.js';
import { createOutboundFrame } from '../channels/outbound-frame.js';
import { logAuthFailure, logConnection, logLimit, sessionFields } from './connection-log.js';
import { leaveAllChannels } from './presence-leave.js';
import {
  createSession,
  slowConsumerError,
  type Session,
  type SessionContext,
  type SessionOptions,
} from '../session/session.js';
import { armTokenTimers } from './token-timers.js';
import type { Transport } from '../session/transport.js';
import type { SharedSession } from '../ports/broker.js';

/** connectionDetails for CONNECTED (CD2): a fresh key every time, limits, timers. */
export function connectionDetails(ctx: EngineContext, session: Session): ConnectionDetails {
  const details: ConnectionDetails = {
    connectionKey: session.key,
    maxMessageSize: ctx.limits.maxMessageSize,
    maxFrameSize: ctx.limits.maxFrameSize,
    maxInboundRate: ctx.limits.maxInboundRate,
    connectionStateTtl: ctx.limits.connectionStateTtlMs,
    maxIdleInterval: ctx.limits.maxIdleIntervalMs,
    serverId: ctx.serverId,
  };
  if (session.auth.reportedClientId !== undefined) details.clientId = session.auth.reportedClientId;
  return details;
}

/** Sends CONNECTED, optionally carrying why continuity was lost (80018). */
export function sendConnected(ctx: EngineContext, session: Session, error?: ErrorInfo): void {
  session.send({
    action: Action.CONNECTED,
    connectionId: session.id,
    connectionDetails: connectionDetails(ctx, session),
    ...(error ? { error: error.toJSON() } : {}),
  });
}

/** Reads connection options from the connect URL (protocol §1.3). */
export function sessionOptions(
  query: URLSearchParams,
  format: SessionOptions['format'],
): SessionOptions {
  const options: SessionOptions = {
    format,
    echo: query.get('echo') !== 'false',
    heartbeats: query.get('heartbeats') === 'true',
  };
  const remain = Number(query.get('remainPresentFor'));
  if (query.has('remainPresentFor') && Number.isFinite(remain) && remain >= 0) {
    options.remainPresentForMs = remain;
  }
  return options;
}

/** Credentials from the connect URL: `key=` or `access_token=`. */
export function connectCredentials(query: URLSearchParams): Credentials | undefined {
  const key = query.get('key');
  if (key) return { key };
  const token = query.get('access_token') ?? query.get('accessToken');
  if (token) return { token };
  return undefined;
}

/**
 * The key name a refused key claimed (`appId.keyId`, the part before the colon), so an operator
 * sees which app the failures are aimed at. Only a well-formed name: a malformed key might be
 * nothing but secret.
 */
function claimedKeyName(credentials: Credentials): { keyName?: string } {
  if (!('key' in credentials)) return {};
  const name = credentials.key.split(':', 1)[0] ?? '';
  return credentials.key.includes(':') && /^[\w-]{1,64}\.[\w-]{1,64}$/.test(name)
    ? { keyName: name }
    : {};
}

/**
 * What the sessions of one engine share, made once per engine: a closure per session for the
 * slow-consumer policy would cost every idle connection its bytes.
 */
const sessionContexts = new WeakMap<EngineContext, SessionContext>();
function sessionContext(ctx: EngineContext): SessionContext {
  let shared = sessionContexts.get(ctx);
  if (!shared) {
    shared = {
      limits: ctx.limits,
      clock: ctx.clock,
      metrics: ctx.metrics,
      onSlowConsumer: (session) => dropSlowConsumer(ctx, session),
    };
    sessionContexts.set(ctx, shared);
  }
  return shared;
}

const sessionIdentity = (s: Session): { id: string; clientId: string | undefined } => ({
  id: s.id,
  clientId: s.auth.clientId,
});

/** Forgets a session: its attachments, presence and timers (CLOSE or resume window over). */
export function discardSession(ctx: EngineContext, session: Session, reason: string): void {
  if (!session.machine.transition('closed', reason)) return;
  session.cancelTimers();
  leaveAllChannels(ctx, session);
  for (const attachment of session.attachments.values())
    if (attachment.channel.subscribers.delete(attachment))
      noteSubscriberChange(ctx, attachment.channel, false);
  session.attachments.clear();
  ctx.connections.remove(session);
  ctx.sessionSharing?.forget(session);
  ctx.audit.connectionStats.finish(session, reason, ctx.clock.now());
  publishConnectionLifecycle(ctx, session.auth.app.record.id, sessionIdentity(session), false);
  ctx.logger.info('connection closed', {
    ...sessionFields(session),
    reason,
    messagesIn: session.messagesIn,
    messagesOut: session.messagesOut,
  });
}

/** The transport went away without CLOSE: keep the state for resume (RTN15), start the clocks. */
export function transportLost(ctx: EngineContext, session: Session, transport: Transport): void {
  if (session.transport !== transport) return;
  session.transport = undefined;
  if (!session.machine.transition('disconnected', 'transport closed')) return;
  // Debug only: every client network blip would otherwise log twice (here and on resume).
  ctx.logger.debug('connection transport lost', sessionFields(session));
  for (const attachment of session.attachments.values()) attachment.live = false;
  session.cancelTimer('renew');
  session.cancelTimer('expiry');
  const grace = session.options.remainPresentForMs ?? ctx.limits.presenceGraceMs;
  const leave = (): void => leaveAllChannels(ctx, session);
  const discard = (): void => discardSession(ctx, session, 'connectionStateTtl elapsed');
  session.setTimer('presenceGrace', ctx.clock.setTimer(leave, grace));
  session.setTimer('discard', ctx.clock.setTimer(discard, ctx.limits.connectionStateTtlMs));
}

/** CLOSE from the client: members leave at once, CLOSED, state discarded (RTN12). */
export function closeSession(ctx: EngineContext, session: Session): void {
  const transport = session.transport;
  discardSession(ctx, session, 'closed by client');
  session.send({ action: Action.CLOSED });
  session.transport = undefined;
  transport?.close();
}

/**
 * A consumer too slow to keep up is cut off rather than buffered without bound; it resumes
 * and is replayed from the channel log.
 */
export function dropSlowConsumer(ctx: EngineContext, session: Session): void {
  const transport = session.transport;
  if (!transport) return;
  const error = slowConsumerError(ctx);
  logLimit(ctx, session, error, { bufferedBytes: transport.bufferedBytes() });
  transport.send(
    createOutboundFrame({ action: Action.DISCONNECTED, error: error.toJSON() }).bytes(
      transport.format,
    ),
  );
  transport.close(true);
  transportLost(ctx, session, transport);
}

/**
 * Another node took this connection over (its client resumed there): the copy here goes without
 * its members leaving or its record being removed, as both now belong to that node.
 */
export function dropMovedSession(ctx: EngineContext, session: Session): void {
  if (!session.machine.transition('closed', 'resumed on another node')) return;
  session.cancelTimers();
  for (const attachment of session.attachments.values())
    if (attachment.channel.subscribers.delete(attachment))
      noteSubscriberChange(ctx, attachment.channel, false);
  session.attachments.clear();
  session.presenceChannels = undefined;
  ctx.connections.remove(session);
  ctx.audit.connectionStats.finish(session, 'resumed on another node', ctx.clock.now());
  const transport = session.transport;
  session.transport = undefined;
  transport?.close();
}

/**
 * The resume key of a connect URL, when this node does not hold that connection but the
 * cluster may: the caller loads the record and passes it to `openSession`.
 */
export function resumeElsewhere(ctx: EngineContext, query: URLSearchParams): string | undefined {
  if (!ctx.sessionSharing) return undefined;
  const resumeKey = query.get('resume') ?? query.get('recover');
  return resumeKey && !ctx.connections.byKey(resumeKey) ? resumeKey : undefined;
}

/**
 * A new transport: authenticate, then either resume the session named by `resume`/`recover`
 * (same id, fresh key, RTN15c6/RTN16) — held here, or recorded by another node (`elsewhere`) —
 * or start a new one (with 80018 when the key was unknown).
 */
export function openSession(
  ctx: EngineContext,
  transport: Transport,
  query: URLSearchParams,
  elsewhere?: SharedSession,
): Session | undefined {
  const credentials = connectCredentials(query);
  if (!credentials) {
    const error = Errors.unauthorized();
    logAuthFailure(ctx, error, { on: 'connect', transport: transport.kind ?? 'unknown' });
    sendFatal(ctx, transport, error);
    return undefined;
  }
  let auth;
  try {
    auth = authenticate(
      ctx.apps,
      credentials,
      query.get('clientId') ?? undefined,
      ctx.clock.now(),
      ctx.revocations,
      ctx.limits,
    );
  } catch (err) {
    const error = isErrorInfo(err) ? err : Errors.invalidCredentials();
    logAuthFailure(ctx, error, {
      on: 'connect',
      method: 'key' in credentials ? 'basic' : 'token',
      ...claimedKeyName(credentials),
      transport: transport.kind ?? 'unknown',
    });
    sendFatal(ctx, transport, error);
    return undefined;
  }
  const options = sessionOptions(query, transport.format);
  const resumeKey = query.get('resume') ?? query.get('recover');
  if (resumeKey) {
    const previous = ctx.connections.byKey(resumeKey);
    // A connection key is bound to its app and clientId: another identity cannot take it over.
    if (
      previous &&
      previous.auth.app === auth.app &&
      previous.auth.clientId === auth.clientId &&
      previous.machine.state !== 'closed'
    ) {
      const old = previous.transport;
      previous.transport = transport;
      previous.auth = auth;
      previous.machine.transition('connected', 'resumed');
      previous.cancelTimer('presenceGrace');
      previous.cancelTimer('discard');
      for (const attachment of previous.attachments.values()) attachment.live = false;
      // The client may never get the new key (its CONNECTED lost with the socket): the key it
      // holds stays good, or its next resume would fail and its pending publishes be resent on
      // a new connection, out of order and into the rate limit (found by `npm run chaos`).
      previous.rotateKey(resumeKey);
      ctx.sessionSharing?.saved(previous);
      sendConnected(ctx, previous);
      armTokenTimers(ctx, previous);
      logConnection(ctx, 'connection resumed', previous, transport);
      // Only now close the old socket: its close handler must find the session re-pointed.
      old?.close();
      return previous;
    }
    const sharing = ctx.sessionSharing;
    if (
      !previous &&
      elsewhere &&
      !ctx.connections.byId(elsewhere.id) &&
      sharing?.admits(elsewhere, resumeKey, auth)
    ) {
      const moved = createSession(sessionContext(ctx), transport, auth, options, elsewhere.id);
      moved.adoptedFrom = elsewhere.nodeId;
      moved.rotateKey(resumeKey);
      ctx.connections.add(moved);
      sharing.takeOver(moved);
      sharing.saved(moved);
      ctx.audit.connectionStats.open(moved, ctx.clock.now());
      sendConnected(ctx, moved);
      armTokenTimers(ctx, moved);
      logConnection(ctx, 'connection resumed from another node', moved, transport);
      return moved;
    }
  }
  const session = createSession(sessionContext(ctx), transport, auth, options);
  ctx.connections.add(session);
  ctx.sessionSharing?.saved(session);
  ctx.audit.connectionStats.open(session, ctx.clock.now());
  sendConnected(ctx, session, resumeKey ? Errors.invalidConnectionKey() : undefined);
  publishConnectionLifecycle(ctx, auth.app.record.id, sessionIdentity(session), true);
  armTokenTimers(ctx, session);
  logConnection(ctx, 'connection opened', session, transport);
  return session;
}

/** Sends DISCONNECTED and closes: the client reconnects at once (elsewhere, behind a balancer). */
export function sendDisconnected(transport: Transport, error: ErrorInfo): void {
  transport.send(
    createOutboundFrame({ action: Action.DISCONNECTED, error: error.toJSON() }).bytes(
      transport.format,
    ),
  );
  transport.close();
}

/** Sends a connection-level ERROR and closes: the client goes FAILED (or renews, for 4014x). */
export function sendFatal(
  ctx: Pick<EngineContext, 'metrics'>,
  transport: Transport,
  error: ErrorInfo,
): void {
  ctx.metrics.countError(error.code);
  transport.send(
    createOutboundFrame({ action: Action.ERROR, error: error.toJSON() }).bytes(transport.format),
  );
  transport.close();
}

/**
 * Ends every connection of an app, live or waiting for resume: a connection-level ERROR (the
 * client goes FAILED and does not retry) and its state dropped, so nothing of a deleted app
 * stays reachable.
 */
export function endAppConnections(ctx: EngineContext, appId: string, error: ErrorInfo): void {
  endConnectionsWhere(ctx, (s) => s.auth.app.record.id === appId, 'app deleted', error);
}

/**
 * Ends every connection authenticated with a key (Basic, or a token it signed) that no longer
 * exists, the same way: with the key gone, nothing it granted may stay connected.
 */
export function endKeyConnections(ctx: EngineContext, keyName: string, error: ErrorInfo): void {
  endConnectionsWhere(ctx, (s) => s.auth.key.keyName === keyName, 'key revoked', error);
}

function endConnectionsWhere(
  ctx: EngineContext,
  matches: (session: Session) => boolean,
  reason: string,
  error: ErrorInfo,
): void {
  for (const session of [...ctx.connections.all()]) {
    if (!matches(session)) continue;
    const transport = session.transport;
    discardSession(ctx, session, reason);
    session.transport = undefined;
    if (transport) sendFatal(ctx, transport, error);
  }
}

/** Ends the transports of connections whose token was just revoked (RSA17, 40141). */
export function disconnectRevoked(
  ctx: EngineContext,
  keyName: string,
  clientId: string,
  issuedBefore: number,
): void {
  for (const session of ctx.connections.all()) {
    const a = session.auth;
    if (a.method !== 'token' || a.key.keyName !== keyName || a.clientId !== clientId) continue;
    if ((a.issued ?? 0) >= issuedBefore) continue;
    const transport = session.transport;
    if (!transport) continue;
    session.endTransport(Action.DISCONNECTED, Errors.tokenRevoked());
    transportLost(ctx, session, transport);
  }
}
