import { Errors, parseAnnotation, parseChannelName, permits } from '@switchboard/protocol';
import { requireNamespaceRules } from '../../auth/channel-access.js';
import { applyAnnotation } from '../../connection/annotation-operation.js';
import type { EngineContext } from '../../context.js';
import { randomId } from '../../ids.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { restAuth } from '../rest-auth.js';
import { stored } from '../publish-core.js';
import { readableChannel } from '../../channels/readable-channel.js';

/** POST /channels/{ch}/messages/{serial}/annotations (RSAN1c6): publishes the body's annotations. */
export async function publishAnnotationsRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  const body = decodeBody(req);
  const list = Array.isArray(body) ? body : body === undefined ? [] : [body];
  if (list.length === 0) throw Errors.badRequest('No annotations to publish');
  const connectionId = `rest${randomId(4)}`;
  const pmId = `${connectionId}:${randomId(6)}`;
  const outcomes = list.map((raw, i) =>
    applyAnnotation(
      ctx,
      auth,
      name,
      { ...parseAnnotation(raw), messageSerial: serial },
      { connectionId, pmId: `${pmId}:${i}`, timestamp: ctx.clock.now() },
    ),
  );
  // On a persisted channel the answer waits until every annotation is stored.
  const written = await Promise.all(outcomes);
  await Promise.all(written.map((o) => stored(o.committed)));
  return respond(req, 201, { serials: written.map((o) => o.result) });
}

/**
 * GET /channels/{ch}/messages/{serial}/annotations (RSAN3): the message's raw annotations, oldest
 * first, `limit` per page with Link paging (from the store for a persisted channel). Needs
 * `history` or `annotation-subscribe`.
 */
export async function getAnnotationsRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  requireNamespaceRules(ctx.apps, auth, name);
  if (
    !permits(auth.capability, name, 'history') &&
    !permits(auth.capability, name, 'annotation-subscribe')
  )
    throw Errors.capabilityDenied('annotation-subscribe', name);
  const limit = Number(req.query.get('limit') ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > ctx.limits.maxHistoryLimit)
    throw Errors.invalidParameter(`limit must be 1–${ctx.limits.maxHistoryLimit}`);
  const cursor = req.query.get('cursor') ?? undefined;
  if (cursor !== undefined && !/^\d{1,15}$/.test(cursor))
    throw Errors.invalidParameter('Invalid cursor');
  const appId = auth.app.record.id;
  if (ctx.channels.persistedState(appId, name)) {
    // A persisted channel's annotations are all in the store, across restarts.
    const page = await ctx.history.listAnnotations({
      appId,
      channel: name,
      messageSerial: serial,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    return respond(req, 200, page.items, { link: linkHeader('annotations', req.query, page.next) });
  }
  const offset = Number(cursor ?? 0);
  const all = (await readableChannel(ctx, appId, name))?.annotations.list(serial) ?? [];
  const items = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? String(offset + limit) : undefined;
  return respond(req, 200, items, { link: linkHeader('annotations', req.query, next) });
}
