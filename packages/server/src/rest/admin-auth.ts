import { timingSafeEqual } from 'node:crypto';
import { Errors } from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import type { EngineContext } from '../context.js';
import type { RestRequest } from './http.js';
import { restAuth } from './rest-auth.js';

/**
 * Whether the request carries the admin secret, in `x-switchboard-admin-secret` or as
 * `Authorization: Bearer <secret>`. Node hands header values over decoded as latin1, so the
 * header's own bytes are recovered with latin1 and compared with the secret's UTF-8 bytes: a
 * non-ASCII secret matches exactly when the client sent its UTF-8 bytes, and no input can make
 * the comparison throw.
 */
export function isAdmin(ctx: EngineContext, req: RestRequest): boolean {
  const secret = ctx.adminSecret;
  if (!secret) return false;
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = req.headers['x-switchboard-admin-secret'] ?? bearer;
  if (!given) return false;
  const a = Buffer.from(secret, 'utf8');
  const b = Buffer.from(given, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Refuses in production mode, where `what` is for the admin secret only: 401 (40100) like every
 * operator route, so a client or the dashboard knows to log in rather than that it is forbidden.
 */
export function requireAdminOrDevelopment(ctx: EngineContext, what: string): void {
  if (!ctx.development) throw Errors.unauthorized(`${what} needs the admin secret`);
}

/**
 * Authenticates the request with Basic auth by a key whose capability is exactly `{"*":["*"]}`;
 * refuses other keys with 40300, tokens and bad credentials as restAuth does.
 */
export function requireFullCapabilityKey(
  ctx: EngineContext,
  req: RestRequest,
  what: string,
): AuthContext {
  const auth = restAuth(ctx, req);
  if (auth.method !== 'basic') throw Errors.forbidden(`${what} needs Basic auth with a key`);
  const cap = auth.key.parsedCapability;
  const ops = cap.get('*');
  if (cap.size !== 1 || ops?.length !== 1 || ops[0] !== '*')
    throw Errors.forbidden(`${what} needs a key with full capability ({"*":["*"]})`);
  return auth;
}
