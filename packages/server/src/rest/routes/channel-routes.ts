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
import { readableChannel } from '../../channels/readable-channel.js';
import type { EngineContext } from '../../context.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader, pageEntries, parseHistoryQuery, type Page } from '../paging.js';
import { storedHistoryPage } from '../stored-history.js';
import type { HistoryKind } from '../../ports/history.js';
import { publishToChannel, stored } from '../publish-core.js';
import { restAuth } from '../rest-auth.js';

/** The channel a read names, with access checked; undefined when it does not exist (reads create none). */
function existingChannel(
  ctx: EngineContext,
  auth: AuthContext,
  channelName: string,
  op: Operation,
): Channel | undefined {
  const { name } = parseChannelName(channelName);
  requireChannelAccess(ctx.apps, auth, name, op);
  return ctx.channels.peek(auth.app.record.id, name);
}

/** POST /channels/{ch}/messages (RSL1): array body, 201 with serials, idempotent ids. */
export async function publishRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const body = decodeBody(req);
  const list = Array.isArray(body) ? body : body === undefined ? [] : [body];
  const { result, committed } = publishToChannel(ctx, auth, ch, list.map(parseMessage));
  await stored(committed);
  return respond(req, 201, result);
}

/**
 * The page a history route answers: from the store for a persisted channel (all of its history,
 * across restarts), from the in-memory log otherwise.
 */
export async function historyPage(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  kind: HistoryKind,
): Promise<Page<unknown>> {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  requireChannelAccess(ctx.apps, auth, name, 'history');
  const appId = auth.app.record.id;
  const persisted = ctx.channels.persistedState(appId, name);
  if (persisted) {
    const q = parseHistoryQuery(req.query, ctx.limits.maxHistoryLimit, persisted.epoch);
    return storedHistoryPage(ctx, appId, name, kind, q);
  }
  const channel = await readableChannel(ctx, appId, name);
  const q = parseHistoryQuery(req.query, ctx.limits.maxHistoryLimit, channel?.epoch ?? '');
  const entries =
    kind === 'message' ? (channel?.latestEntries() ?? []) : (channel?.presenceLog.entries() ?? []);
  return pageEntries(entries, q, (e) => e.messages);
}

/** GET /channels/{ch}/messages (RSL2): newest first by default, Link pagination. */
export async function historyRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
): Promise<RestResponse> {
  const page = await historyPage(ctx, req, ch, 'message');
  return respond(req, 200, page.items, { link: linkHeader('messages', req.query, page.next) });
}

/** GET /channels/{ch}/presence (RSP3): current members as PRESENT. */
export async function presenceRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const existing = existingChannel(ctx, auth, ch, 'subscribe');
  const channel = ctx.clustered
    ? await readableChannel(ctx, auth.app.record.id, parseChannelName(ch).name)
    : existing;
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
export async function presenceHistoryRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
): Promise<RestResponse> {
  const page = await historyPage(ctx, req, ch, 'presence');
  return respond(req, 200, page.items, { link: linkHeader('history', req.query, page.next) });
}

/** GET /channels/{ch} (RSL8): ChannelDetails with occupancy metrics. */
export function channelStatusRoute(ctx: EngineContext, req: RestRequest, ch: string): RestResponse {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  requireNamespaceRules(ctx.apps, auth, name);
  if (
    !permits(auth.capability, name, 'channel-metadata') &&
    !permits(auth.capability, name, 'subscribe')
  ) {
    throw Errors.capabilityDenied('channel-metadata', name);
  }
  return respond(req, 200, channelDetails(name, ctx.channels.peek(auth.app.record.id, name)));
}
