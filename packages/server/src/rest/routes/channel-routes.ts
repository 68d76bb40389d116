import {
  Errors,
  parseChannelName,
  parseMessage,
  permits,
  type Operation,
} from '@switchboard/protocol';
import type { AuthContext } from '../../auth/authenticate.js';
import { requireChannelAccess, requireNamespaceRules } from '../../auth/channel-access.js';
import type { Channel } from '../../channels/channel.js';
import { channelDetails } from '../../channels/channel-details.js';
import type { EngineContext } from '../../context.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader, pageEntries, parseHistoryQuery } from '../paging.js';
import { publishToChannel } from '../publish-core.js';
import { restAuth } from '../rest-auth.js';

/** The channel a read names, with access checked; undefined when it does not exist (reads create none). */
function existingChannel(
  ctx: EngineContext,
  auth: AuthContext,
  encodedName: string,
  op: Operation,
): Channel | undefined {
  const { name } = parseChannelName(decodeURIComponent(encodedName));
  requireChannelAccess(ctx.apps, auth, name, op);
  return ctx.channels.peek(auth.app.record.id, name);
}

/** POST /channels/{ch}/messages (RSL1): array body, 201 with serials, idempotent ids. */
export function publishRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const body = decodeBody(req);
  const list = Array.isArray(body) ? body : body === undefined ? [] : [body];
  const result = publishToChannel(ctx, auth, decodeURIComponent(ch), list.map(parseMessage));
  return respond(req, 201, result);
}

/** GET /channels/{ch}/messages (RSL2): newest first by default, Link pagination. */
export function historyRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const channel = existingChannel(ctx, auth, ch, 'history');
  const q = parseHistoryQuery(req.query, ctx.limits.maxHistoryLimit, channel?.epoch ?? '');
  const page = pageEntries(channel?.latestEntries() ?? [], q, (e) => e.messages);
  return respond(req, 200, page.items, { link: linkHeader('messages', req.query, page.next) });
}

/** GET /channels/{ch}/presence (RSP3): current members as PRESENT. */
export function presenceRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const channel = existingChannel(ctx, auth, ch, 'subscribe');
  const clientId = req.query.get('clientId');
  const connectionId = req.query.get('connectionId');
  const limit = Number(req.query.get('limit') ?? 100);
  if (!Number.isFinite(limit) || limit < 1 || limit > ctx.limits.maxHistoryLimit) {
    throw Errors.invalidParameter(`limit must be 1–${ctx.limits.maxHistoryLimit}`);
  }
  const members = (channel?.presence.members() ?? []).filter(
    (m) =>
      (!clientId || m.clientId === clientId) && (!connectionId || m.connectionId === connectionId),
  );
  const offset = Number(req.query.get('cursor') ?? 0) || 0;
  const items = members.slice(offset, offset + limit);
  const next = offset + limit < members.length ? String(offset + limit) : undefined;
  return respond(req, 200, items, { link: linkHeader('presence', req.query, next) });
}

/** GET /channels/{ch}/presence/history (RSP4): raw presence events. */
export function presenceHistoryRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
): RestResponse {
  const auth = restAuth(ctx, req);
  const channel = existingChannel(ctx, auth, ch, 'history');
  const q = parseHistoryQuery(req.query, ctx.limits.maxHistoryLimit, channel?.epoch ?? '');
  const page = pageEntries(channel?.presenceLog.entries() ?? [], q, (e) => e.messages);
  return respond(req, 200, page.items, { link: linkHeader('history', req.query, page.next) });
}

/** GET /channels/{ch} (RSL8): ChannelDetails with occupancy metrics. */
export function channelStatusRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(decodeURIComponent(ch));
  requireNamespaceRules(ctx.apps, auth, name);
  if (
    !permits(auth.capability, name, 'channel-metadata') &&
    !permits(auth.capability, name, 'subscribe')
  ) {
    throw Errors.capabilityDenied('channel-metadata', name);
  }
  return respond(req, 200, channelDetails(name, ctx.channels.peek(auth.app.record.id, name)));
}
