import { Errors } from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import { heartbeatConfigFromSpec } from '../../sse/heartbeat-config-spec.js';
import { isAdmin } from '../admin-auth.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';

/**
 * The heartbeat settings are server-wide (not an app's), so no key can change them: the admin
 * secret is needed in production (401 without it); development mode leaves them open like
 * `POST /apps`.
 */
function requireOperator(ctx: EngineContext, req: RestRequest): void {
  if (isAdmin(ctx, req) || ctx.development) return;
  throw Errors.unauthorized('The heartbeat configuration needs the admin secret');
}

/** GET /heartbeat-config: every channel type's interval and timeout. */
export async function listHeartbeatConfigRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  requireOperator(ctx, req);
  return respond(req, 200, await ctx.heartbeatConfig.listHeartbeatConfig());
}

/** PUT /heartbeat-config/{channelType}: sets a type's `intervalMs` and `timeoutMs`. */
export async function saveHeartbeatConfigRoute(
  ctx: EngineContext,
  req: RestRequest,
  channelType: string,
): Promise<RestResponse> {
  requireOperator(ctx, req);
  const record = heartbeatConfigFromSpec(channelType, decodeBody(req));
  await ctx.heartbeatConfig.saveHeartbeatConfig(record);
  ctx.heartbeats.invalidate();
  return respond(req, 200, record);
}

/** DELETE /heartbeat-config/{channelType}: the type falls back to 30 s / 90 s. */
export async function deleteHeartbeatConfigRoute(
  ctx: EngineContext,
  req: RestRequest,
  channelType: string,
): Promise<RestResponse> {
  requireOperator(ctx, req);
  if (!(await ctx.heartbeatConfig.deleteHeartbeatConfig(channelType)))
    throw Errors.notFound(`No heartbeat configuration for channel type ${channelType}`);
  ctx.heartbeats.invalidate();
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}
