import { Errors } from '@switchboard/protocol';
import { describeApp, describeKey, keyFromSpec } from '../../apps/provision.js';
import { endKeyConnections } from '../../connection/lifecycle.js';
import type { EngineContext } from '../../context.js';
import { parseTimeCursor } from '../../ports/audit-store.js';
import type { WebhookOutboxRecord } from '../../ports/webhook-outbox.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { operatorApp, operatorScope } from '../operator-access.js';
import { linkHeader } from '../paging.js';
import { pageLimit } from './push-paging.js';

/**
 * The body of `POST /apps/{id}/keys`, checked: absent (full access) or an object whose
 * `capability` is an object or JSON text and whose `revocableTokens` is a boolean. Anything else
 * is 400 rather than silently becoming a full-access key.
 */
function keySpec(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw Errors.badRequest('The body must be an object: {"capability": …, "revocableTokens": …}');
  const spec = body as Record<string, unknown>;
  const { capability, revocableTokens } = spec;
  if (capability !== undefined && typeof capability !== 'string' && typeof capability !== 'object')
    throw Errors.invalidParameter('capability must be an object or its JSON text');
  if (revocableTokens !== undefined && typeof revocableTokens !== 'boolean')
    throw Errors.invalidParameter('revocableTokens must be true or false');
  return spec;
}

/** GET /apps: the apps the caller may manage, with their keys (full key strings) and rules. */
export function listAppsRoute(ctx: EngineContext, req: RestRequest): RestResponse {
  const apps = operatorScope(ctx, req, 'Listing apps');
  return respond(
    req,
    200,
    apps.map((a) => describeApp(a.record)),
  );
}

/**
 * POST /apps/{id}/keys: adds a key with the body's `capability` (object or JSON text, default
 * full access) and `revocableTokens`; answers with the new key in `POST /apps`'s form.
 */
export async function createKeyRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
): Promise<RestResponse> {
  const app = operatorApp(ctx, req, appId, 'Creating keys');
  const key = keyFromSpec(appId, keySpec(decodeBody(req)));
  await ctx.apps.save({ ...app.record, keys: [...app.record.keys, key] });
  ctx.logger.info('key created', { appId, keyName: key.keyName, via: 'rest' });
  return respond(req, 201, describeKey(appId, key));
}

/**
 * DELETE /apps/{id}/keys/{keyName}: removes the key. Requests and tokens signed with it are
 * refused from now on, and its live connections end with 40131, as after `switchboard keys revoke`.
 */
export async function revokeKeyRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
  keyName: string,
): Promise<RestResponse> {
  const app = operatorApp(ctx, req, appId, 'Revoking keys');
  if (!app.record.keys.some((k) => k.keyName === keyName))
    throw Errors.notFound(`Key not found: ${keyName}`);
  await ctx.apps.save({
    ...app.record,
    keys: app.record.keys.filter((k) => k.keyName !== keyName),
  });
  endKeyConnections(ctx, keyName, Errors.keyRevoked(keyName));
  ctx.logger.info('key revoked', { appId, keyName, via: 'rest' });
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}

/**
 * GET /apps/{id}/events: the audit log of published messages, newest first, paged with Link
 * headers like history; `channel` narrows it to one channel. Pending rows are written first.
 */
export async function listEventsRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
): Promise<RestResponse> {
  operatorApp(ctx, req, appId, 'Reading the audit log');
  const limit = pageLimit(req, ctx.limits.maxHistoryLimit);
  const channel = req.query.get('channel') || undefined;
  const cursor = req.query.get('cursor') || undefined;
  if (cursor !== undefined && parseTimeCursor(cursor) === undefined)
    throw Errors.invalidParameter('Invalid cursor');
  const page = await ctx.audit.events({
    appId,
    limit,
    backwards: true,
    ...(channel !== undefined ? { channel } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  });
  return respond(req, 200, page.items, { link: linkHeader('events', req.query, page.next) });
}

/** A delivery as shown to operators: the outbox row without its body (which holds app data). */
function describeDelivery(r: WebhookOutboxRecord): Record<string, unknown> {
  let items: number | undefined;
  try {
    const parsed = JSON.parse(r.batch.body) as { items?: unknown };
    if (Array.isArray(parsed.items)) items = parsed.items.length;
  } catch {
    // A body is always written as JSON; an unreadable one just shows no item count.
  }
  return {
    id: r.id,
    ruleId: r.batch.ruleId,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.status === 'pending' ? { nextAttemptAt: r.nextAttemptAt } : {}),
    ...(items !== undefined ? { items } : {}),
    bytes: Buffer.byteLength(r.batch.body),
    ...(r.lastError !== undefined ? { lastError: r.lastError } : {}),
  };
}

/** GET /apps/{id}/webhooks/{rule}/deliveries: the rule's latest batches, newest first. */
export async function listDeliveriesRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
  ruleId: string,
): Promise<RestResponse> {
  const app = operatorApp(ctx, req, appId, 'Reading webhook deliveries');
  if (!(app.record.webhooks ?? []).some((r) => r.id === ruleId))
    throw Errors.notFound(`Webhook not found: ${ruleId}`);
  const limit = pageLimit(req, ctx.limits.maxHistoryLimit);
  const rows = await ctx.webhooks.deliveries(appId, ruleId, limit);
  return respond(req, 200, rows.map(describeDelivery));
}
