import { Errors } from '@switchboard/protocol';
import { authenticate, restCredentials, type AuthContext } from '../auth/authenticate.js';
import type { EngineContext } from '../context.js';
import type { RestRequest } from './http.js';

/** Authenticates a REST request; `X-Ably-ClientId` (base64) names the client for Basic auth (RSA7e). */
export function restAuth(ctx: EngineContext, req: RestRequest): AuthContext {
  const credentials = restCredentials(req.headers.authorization, req.query);
  if (!credentials) throw Errors.unauthorized();
  const header = req.headers['x-ably-clientid'];
  const clientId = header ? Buffer.from(header, 'base64').toString('utf8') : undefined;
  const now = ctx.clock.now();
  return authenticate(ctx.apps, credentials, clientId, now, ctx.revocations, ctx.limits);
}
