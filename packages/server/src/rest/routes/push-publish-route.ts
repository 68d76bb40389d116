import { Errors } from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import { deliveriesFor, dispatchPush } from '../../push/push-dispatch.js';
import { pushCaller, requirePushAdmin } from '../../push/push-access.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/**
 * POST /push/publish (RSH1a): `{recipient, ...payload}` to one device, a clientId's devices or a
 * recipient named by transport details; needs `push-admin`. Answers once the transports have the
 * pushes, so a failure to hand them over is reported rather than lost.
 */
export async function pushPublishRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const caller = await pushCaller(ctx, req, undefined);
  requirePushAdmin(caller, 'publishing a push');
  const body = decodeBody(req);
  if (!isObject(body)) throw Errors.badRequest('Invalid push: body must be an object');
  const { recipient, ...payload } = body;
  if (!isObject(recipient)) throw Errors.badRequest('Invalid push: recipient is missing');
  const named = ['deviceId', 'clientId', 'transportType'].filter(
    (k) => typeof recipient[k] === 'string' && recipient[k] !== '',
  );
  if (named.length === 0)
    throw Errors.badRequest('Invalid push: recipient needs deviceId, clientId or transportType');
  if (Object.keys(payload).length === 0)
    throw Errors.badRequest('Invalid push: give notification or data');
  const deliveries = await deliveriesFor(ctx, caller.appId, recipient, payload);
  await dispatchPush(ctx, deliveries);
  return respond(req, 201, undefined);
}
