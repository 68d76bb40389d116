import {
  Errors,
  Flag,
  parseChannelName,
  parseMessage,
  permits,
  type Operation,
} from '@switchboard/protocol';
import type { AuthContext } from '../../auth/authenticate.js';
import { requireChannelAccess } from '../../auth/channel-access.js';
import type { Channel } from '../../channels/channel.js';
import type { EngineContext } from '../../context.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader, pageEntries, parseHistoryQuery } from '../paging.js';
import { publishToChannel } from '../publish-core.js';
import { restAuth } from '../rest-auth.js';

function channelFor(
  ctx: EngineContext,
  auth: AuthContext,
  channelName: string,
  op: Operation,
): Channel {
  const { name } = parseChannelName(channelName);
  requireChannelAccess(ctx.apps, auth, name, op);
  return ctx.channels.get(auth.app.record.id, name);
}

/** POST /channels/{ch}/messages (RSL1): array body, 201 with serials, idempotent ids. */
export function publishRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const body = decodeBody(req);
  const list = Array.isArray(body) ? body : body === undefined ? [] : [body];
  const result = publishToChannel(ctx, auth, ch, list.map(parseMessage));
  return respond(req, 201, result);
}

/** GET /channels/{ch}/messages (RSL2): newest first by default, Link pagination. */
export function historyRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const channel = channelFor(ctx, auth, ch, 'history');
  const q = parseHistoryQuery(req.query, ctx.limits.maxHistoryLimit, channel.epoch);
  const page = pageEntries(channel.latestEntries(), q, (e) => e.messages);
  return respond(req, 200, page.items, { link: linkHeader('messages', req.query, page.next) });
}

/** GET /channels/{ch}/presence (RSP3): current members as PRESENT. */
export function presenceRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const channel = channelFor(ctx, auth, ch, 'subscribe');
  const clientId = req.query.get('clientId');
  const connectionId = req.query.get('connectionId');
  const limit = Number(req.query.get('limit') ?? 100);
  if (!Number.isFinite(limit) || limit < 1 || limit > ctx.limits.maxHistoryLimit) {
    throw Errors.invalidParameter(`limit must be 1–${ctx.limits.maxHistoryLimit}`);
  }
  const members = channel.presence
    .members()
    .filter(
      (m) =>
        (!clientId || m.clientId === clientId) &&
        (!connectionId || m.connectionId === connectionId),
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
  const channel = channelFor(ctx, auth, ch, 'history');
  const q = parseHistoryQuery(req.query, ctx.limits.maxHistoryLimit, channel.epoch);
  const page = pageEntries(channel.presenceLog.entries(), q, (e) => e.messages);
  return respond(req, 200, page.items, { link: linkHeader('history', req.query, page.next) });
}

/** GET /channels/{ch} (RSL8): ChannelDetails with occupancy metrics. */
export function channelStatusRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  if (
    !permits(auth.capability, name, 'channel-metadata') &&
    !permits(auth.capability, name, 'subscribe')
  ) {
    throw Errors.capabilityDenied('channel-metadata', name);
  }
  const channel = ctx.channels.peek(auth.app.record.id, name);
  const subs = channel ? [...channel.subscribers] : [];
  const members = channel?.presence.members() ?? [];
  const metrics = {
    connections: subs.length,
    presenceConnections: new Set(members.map((m) => m.connectionId)).size,
    presenceMembers: members.length,
    presenceSubscribers: subs.filter((s) => s.modes & Flag.PRESENCE_SUBSCRIBE).length,
    publishers: subs.filter((s) => s.modes & Flag.PUBLISH).length,
    subscribers: subs.filter((s) => s.modes & Flag.SUBSCRIBE).length,
  };
  return respond(req, 200, {
    channelId: name,
    name,
    status: { isActive: subs.length > 0 || members.length > 0, occupancy: { metrics } },
  });
}

/** GET /channels: active channel names (or details with `by=value`), optionally by prefix. */
export function channelListRoute(ctx: EngineContext, req: RestRequest): RestResponse {
  const auth = restAuth(ctx, req);
  const prefix = req.query.get('prefix') ?? '';
  const limit = Math.min(Number(req.query.get('limit') ?? 100) || 100, ctx.limits.maxHistoryLimit);
  const names = ctx.channels
    .list(auth.app.record.id)
    .filter((c) => c.name.startsWith(prefix) && (c.subscribers.size > 0 || c.presence.size() > 0))
    .map((c) => c.name)
    .slice(0, limit);
  const byValue = req.query.get('by') === 'value';
  return respond(req, 200, byValue ? names.map((n) => ({ channelId: n, name: n })) : names);
}
