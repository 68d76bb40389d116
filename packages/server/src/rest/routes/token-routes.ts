import { Errors } from '@switchboard/protocol';
import { issueToken, redeemTokenRequest } from '../../auth/token-request.js';
import type { EngineContext } from '../../context.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { restAuth } from '../rest-auth.js';

/**
 * POST /keys/{keyName}/requestToken (RSA8): a signed TokenRequest needs no other auth; a plain
 * TokenParams body is accepted with Basic auth by that key.
 */
export async function requestTokenRoute(
  ctx: EngineContext,
  req: RestRequest,
  keyName: string,
): Promise<RestResponse> {
  const body = decodeBody(req);
  const now = ctx.clock.now();
  if (body && typeof body === 'object' && 'mac' in body) {
    return respond(
      req,
      200,
      await redeemTokenRequest(ctx.apps, keyName, body, ctx.nonces, ctx.limits, now),
    );
  }
  const auth = restAuth(ctx, req);
  if (auth.method !== 'basic' || auth.key.keyName !== keyName) {
    throw Errors.invalidCredentials(
      'Token requests without a MAC need Basic auth with the same key',
    );
  }
  return respond(req, 200, issueToken(ctx.apps, keyName, (body ?? {}) as object, ctx.limits, now));
}
