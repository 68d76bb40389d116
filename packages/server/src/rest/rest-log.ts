import type { ErrorInfo } from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import type { RestRequest } from './http.js';

/** REST codes that mean a limit was hit (size, rate, channels per request or app). */
const REST_LIMIT_CODES: ReadonlySet<number> = new Set([40009, 41300, 42910, 90010, 90021]);

/**
 * Logs a REST request answered with an error, when it matters to an operator: a 5xx (error),
 * refused credentials (401/403) or a limit (warn). Other 4xx are the client's business. Only the
 * method and path are logged: the query may carry `key=` or `access_token=`, and the body is
 * the client's data. Lines are throttled per kind, since anyone can send refused requests.
 */
export function logRestError(ctx: EngineContext, req: RestRequest, error: ErrorInfo): void {
  const status = error.statusCode;
  const kind =
    status >= 500
      ? 'server error'
      : status === 401 || status === 403
        ? 'authentication failed'
        : REST_LIMIT_CODES.has(error.code)
          ? 'limit hit'
          : undefined;
  if (!kind) return;
  const verdict = ctx.logThrottle.allow(`rest ${kind} ${error.code}`);
  if (!verdict.log) return;
  const fields = {
    on: 'rest',
    method: req.method,
    path: req.path.slice(0, 200),
    code: error.code,
    statusCode: status,
    reason: error.message,
    ...(verdict.suppressed > 0 ? { suppressedSinceLast: verdict.suppressed } : {}),
  };
  if (status >= 500) ctx.logger.error(`REST request failed: ${kind}`, fields);
  else ctx.logger.warn(kind, fields);
}
