import { Errors, parseChannelName, permits, permitsSomewhere } from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import type { PushSubscriptionFilter, PushSubscriptionRecord } from '../../ports/push-store.js';
import {
  maySubscribe,
  pushCaller,
  requirePushAdmin,
  type PushCaller,
} from '../../push/push-access.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { pageLimit } from './push-paging.js';

const toWire = (s: PushSubscriptionRecord): Record<string, string> =>
  s.deviceId !== undefined
    ? { channel: s.channel, deviceId: s.deviceId }
    : { channel: s.channel, clientId: s.clientId };

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '')
    throw Errors.badRequest(`Invalid subscription: ${field} must be a non-empty string`);
  return value;
}

/** POST /push/channelSubscriptions (RSH1c3, RSH7a, RSH7b): `{channel, deviceId | clientId}`. */
export async function saveSubscriptionRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const body = decodeBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw Errors.badRequest('Invalid subscription: body must be an object');
  const fields = body as Record<string, unknown>;
  const raw = optionalText(fields.channel, 'channel');
  if (raw === undefined) throw Errors.badRequest('Invalid subscription: channel is missing');
  const { name: channel } = parseChannelName(raw);
  const deviceId = optionalText(fields.deviceId, 'deviceId');
  const clientId = optionalText(fields.clientId, 'clientId');
  if ((deviceId === undefined) === (clientId === undefined))
    throw Errors.badRequest('Invalid subscription: give exactly one of deviceId and clientId');
  const caller = await pushCaller(ctx, req, deviceId);
  if (!maySubscribe(caller, channel, { deviceId, clientId }))
    throw Errors.pushNotPermitted(`subscribing ${deviceId ?? clientId} to ${channel}`);
  const record: PushSubscriptionRecord =
    deviceId !== undefined
      ? { appId: caller.appId, channel, deviceId }
      : { appId: caller.appId, channel, clientId: clientId! };
  if (deviceId !== undefined && !(await ctx.pushStore.getPushDevice(caller.appId, deviceId)))
    throw Errors.notFound(`No device ${deviceId}`);
  await ctx.pushStore.savePushSubscription(record);
  return respond(req, 201, toWire(record));
}

/** The filters of a listing or removal (RSH1c1, RSH1c5); `concatFilters` ORs the targets. */
function subscriptionFilter(req: RestRequest, appId: string): PushSubscriptionFilter {
  const q = req.query;
  const pick = (name: string) => {
    const v = q.get(name);
    return v === null ? {} : { [name]: v };
  };
  return {
    appId,
    ...pick('channel'),
    ...pick('deviceId'),
    ...pick('clientId'),
    ...(q.get('concatFilters') === 'true' ? { anyTarget: true } : {}),
  };
}

/**
 * A push admin (on the filtered channel, or anywhere without one) sees every subscription;
 * anyone else only their own device's or clientId's, with `push-subscribe` (RSH7).
 */
function requireMayRead(caller: PushCaller, f: PushSubscriptionFilter): void {
  const cap = caller.auth.capability;
  const admin =
    f.channel !== undefined
      ? permits(cap, f.channel, 'push-admin')
      : permitsSomewhere(cap, 'push-admin');
  if (admin) return;
  const own =
    (f.deviceId !== undefined || f.clientId !== undefined) &&
    (f.deviceId === undefined || caller.device?.id === f.deviceId) &&
    (f.clientId === undefined || f.clientId === caller.auth.clientId);
  const subscribe =
    f.channel !== undefined
      ? permits(cap, f.channel, 'push-subscribe')
      : permitsSomewhere(cap, 'push-subscribe');
  if (!own || !subscribe) requirePushAdmin(caller, 'these subscriptions');
}

/** GET /push/channelSubscriptions (RSH1c1): filtered, `limit`, Link paging. */
export async function listSubscriptionsRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const filter0 = subscriptionFilter(req, '');
  const caller = await pushCaller(ctx, req, filter0.deviceId);
  const filter = { ...filter0, appId: caller.appId };
  requireMayRead(caller, filter);
  const cursor = req.query.get('cursor') ?? undefined;
  const page = await ctx.pushStore.listPushSubscriptions(filter, {
    limit: pageLimit(req, ctx.limits.maxHistoryLimit),
    ...(cursor ? { cursor } : {}),
  });
  return respond(req, 200, page.items.map(toWire), {
    link: linkHeader('channelSubscriptions', req.query, page.next),
  });
}

/** DELETE /push/channelSubscriptions (RSH1c4 remove, RSH1c5 removeWhere, RSH7c, RSH7d). */
export async function removeSubscriptionsRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const filter0 = subscriptionFilter(req, '');
  const caller = await pushCaller(ctx, req, filter0.deviceId);
  const filter = { ...filter0, appId: caller.appId };
  requireMayRead(caller, filter);
  // Without any filter this would remove every subscription of the app: refused.
  if (
    filter.channel === undefined &&
    filter.deviceId === undefined &&
    filter.clientId === undefined
  )
    throw Errors.badRequest('removeWhere needs channel, deviceId or clientId');
  await ctx.pushStore.removePushSubscriptions(filter);
  return respond(req, 204, undefined);
}

/** GET /push/channels (RSH1c2): channels with a subscription, those the caller administers. */
export async function listPushChannelsRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const caller = await pushCaller(ctx, req, undefined);
  requirePushAdmin(caller, 'listing push channels');
  const cursor = req.query.get('cursor') ?? undefined;
  const page = await ctx.pushStore.listPushChannels(caller.appId, {
    limit: pageLimit(req, ctx.limits.maxHistoryLimit),
    ...(cursor ? { cursor } : {}),
  });
  const visible = page.items.filter((c) => permits(caller.auth.capability, c, 'push-admin'));
  return respond(req, 200, visible, { link: linkHeader('channels', req.query, page.next) });
}
