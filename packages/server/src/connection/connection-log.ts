import type { ErrorInfo } from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import type { Session } from '../session/session.js';
import type { Transport } from '../session/transport.js';

/**
 * At most one limit line per connection in this window: a client hammering a limit is refused
 * thousands of times a second, and each refusal must not become a log line.
 */
export const LIMIT_LOG_INTERVAL_MS = 10_000;

/** Codes that mean "a limit was hit": what an operator tunes or a client misbehaves against. */
const LIMIT_CODES: ReadonlySet<number> = new Set([40009, 42910, 80003, 90001, 91003]);

/** Whether an error is one of the limits worth a (rate-limited) log line. */
export function isLimitError(error: ErrorInfo): boolean {
  return LIMIT_CODES.has(error.code);
}

/**
 * Who a connection is, for log lines: ids only. Never the connection key (its second half lets
 * anyone resume the connection) nor the credentials it authenticated with.
 */
export function sessionFields(session: Session): Record<string, unknown> {
  const auth = session.auth;
  return {
    connectionId: session.id,
    appId: auth.app.record.id,
    keyName: auth.key.keyName,
    ...(auth.clientId !== undefined ? { clientId: auth.clientId } : {}),
  };
}

/** A connection opened or resumed: who, over what, in which wire format. */
export function logConnection(
  ctx: EngineContext,
  message: 'connection opened' | 'connection resumed' | 'connection resumed from another node',
  session: Session,
  transport: Transport,
): void {
  ctx.logger.info(message, {
    ...sessionFields(session),
    authMethod: session.auth.method,
    format: transport.format,
    transport: transport.kind ?? 'unknown',
  });
}

/**
 * Credentials refused, on connect or on AUTH: the code and reason, never what was presented.
 * Throttled per kind, as a client can retry bad credentials as fast as it can open sockets.
 */
export function logAuthFailure(
  ctx: EngineContext,
  error: ErrorInfo,
  fields: { on: 'connect' | 'auth' } & Record<string, unknown>,
): void {
  const verdict = ctx.logThrottle.allow(`${fields.on} authentication failed ${error.code}`);
  if (!verdict.log) return;
  ctx.logger.warn('authentication failed', {
    ...fields,
    code: error.code,
    statusCode: error.statusCode,
    reason: error.message,
    ...(verdict.suppressed > 0 ? { suppressedSinceLast: verdict.suppressed } : {}),
  });
}

/**
 * A connection hit a limit. Logged at most once per LIMIT_LOG_INTERVAL_MS per connection; the
 * next line says how many were left out, so the rate stays visible without the flood.
 */
export function logLimit(
  ctx: EngineContext,
  session: Session,
  error: ErrorInfo,
  fields: Record<string, unknown> = {},
): void {
  const now = ctx.clock.now();
  if (now - session.limitLoggedAt < LIMIT_LOG_INTERVAL_MS) {
    session.limitsSuppressed++;
    return;
  }
  const suppressed = session.limitsSuppressed;
  session.limitLoggedAt = now;
  session.limitsSuppressed = 0;
  ctx.logger.warn('limit hit', {
    ...sessionFields(session),
    ...fields,
    code: error.code,
    reason: error.message,
    ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}),
  });
}
