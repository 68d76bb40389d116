import { Errors, permitsAppWide } from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import { parseStatsTime, type StatsUnit } from '../../stats/interval.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { restAuth } from '../rest-auth.js';
import { isAdmin, requireAdminOrDevelopment, requireFullCapabilityKey } from '../admin-auth.js';

const UNITS = new Set<StatsUnit>(['minute', 'hour', 'day', 'month']);

/**
 * GET /stats (RSC6): the app's statistics per minute, hour, day or month, newest first by
 * default; `start`/`end` as milliseconds or interval ids; Link pagination by interval.
 */
export async function statsRoute(ctx: EngineContext, req: RestRequest): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  if (!permitsAppWide(auth.capability, 'stats')) throw Errors.capabilityDenied('stats', '*');
  // `by` is the older name of `unit`, still sent by some clients.
  const unit = (req.query.get('unit') ?? req.query.get('by') ?? 'minute') as StatsUnit;
  if (!UNITS.has(unit)) throw Errors.invalidParameter(`Invalid unit: ${unit}`);
  const direction = req.query.get('direction') ?? 'backwards';
  if (direction !== 'backwards' && direction !== 'forwards') {
    throw Errors.invalidParameter(`Invalid direction: ${direction}`);
  }
  const limit = Number(req.query.get('limit') ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > ctx.limits.maxHistoryLimit) {
    throw Errors.invalidParameter(`limit must be 1–${ctx.limits.maxHistoryLimit}`);
  }
  const start = parseStatsTime(req.query.get('start'));
  const end = parseStatsTime(req.query.get('end'));
  const query = {
    unit,
    backwards: direction === 'backwards',
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
  };
  const offset = Number(req.query.get('cursor') ?? 0) || 0;
  const appId = auth.app.record.id;
  const now = ctx.clock.now();
  // One more than the page, so the next link is given only when there is more.
  const records = ctx.clusterStats
    ? await ctx.clusterStats.query(appId, query, now, offset + limit + 1)
    : ctx.stats.query(appId, query, now);
  const page = records.slice(offset, offset + limit);
  const next = offset + limit < records.length ? String(offset + limit) : undefined;
  return respond(req, 200, page, { link: linkHeader('stats', req.query, next) });
}

/**
 * POST /stats: loads stats fixtures in Ably's nested form (the ably-js test harness's
 * provisioning). Fixtures are fake statistics, so they are for development mode or the admin
 * secret only, and always need a full-capability key of the app they go to; both their count
 * and what they store are bounded.
 */
export async function postStatsRoute(ctx: EngineContext, req: RestRequest): Promise<RestResponse> {
  if (!isAdmin(ctx, req)) requireAdminOrDevelopment(ctx, 'Posting stats');
  const auth = requireFullCapabilityKey(ctx, req, 'Posting stats');
  const body = decodeBody(req);
  const fixtures = Array.isArray(body) ? body : [body];
  if (fixtures.length > ctx.limits.maxStatsFixtures) {
    throw Errors.invalidParameter(
      `${fixtures.length} stats fixtures; at most ${ctx.limits.maxStatsFixtures} per request`,
    );
  }
  for (const f of fixtures) {
    if (f && typeof f === 'object')
      ctx.stats.addFixture(auth.app.record.id, f as Record<string, unknown>);
  }
  // On a cluster the fixtures are in every node's GET /stats once this answers. If the broker
  // cannot take them now they stay counted here and are pushed when it can.
  await ctx.clusterStats?.push().catch(() => {});
  return respond(req, 201, {});
}
