import { Errors, permits, permitsSomewhere } from '@switchboard/protocol';
import type { AuthContext } from '../../auth/authenticate.js';
import type { Channel } from '../../channels/channel.js';
import { channelDetails } from '../../channels/channel-details.js';
import type { EngineContext } from '../../context.js';
import { compareNames } from '../../ports/audit-store.js';
import { respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { restAuth } from '../rest-auth.js';

/** Store pages one request may read before it answers with what it has and a `next` link. */
const MAX_STORE_PAGES = 8;

/** A channel as the listing sees it: live here (authoritative), or known from the registry. */
interface Listed {
  name: string;
  live?: Channel;
  active: boolean;
}

const isActive = (ch: Channel): boolean => ch.subscribers.size > 0 || ch.presence.size() > 0;

/** Whether the caller may see this channel in a listing: capability and namespace rules. */
function visible(ctx: EngineContext, auth: AuthContext, name: string): boolean {
  return (
    permits(auth.capability, name, 'channel-metadata') &&
    !(ctx.apps.namespaceOf(auth.app, name)?.authenticated && auth.clientId === undefined)
  );
}

/**
 * GET /channels (channel enumeration): names (`by=id`, the default) or ChannelDetails
 * (`by=value`) in name order, optionally by `prefix`, `limit` per page with a Link `next`.
 * Active channels only, unless `include=inactive` (this server's extension: the registry keeps
 * channels for channelRegistryRetentionMs). Merges the durable registry with the channels live
 * here, whose state wins. Needs `channel-metadata`, and lists only the channels the caller's
 * capability covers and whose namespace rules admit it.
 */
export async function channelListRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  if (!permitsSomewhere(auth.capability, 'channel-metadata'))
    throw Errors.capabilityDenied('channel-metadata', '*');
  const appId = auth.app.record.id;
  const prefix = req.query.get('prefix') ?? '';
  const asked = Math.floor(Number(req.query.get('limit') ?? 100)) || 100;
  const limit = Math.min(Math.max(asked, 1), ctx.limits.maxHistoryLimit);
  const cursor = req.query.get('cursor') ?? undefined;
  const activeOnly = req.query.get('include') !== 'inactive';
  const after = (name: string): boolean => cursor === undefined || compareNames(name, cursor) > 0;

  const live = ctx.channels
    .list(appId)
    .filter((c) => c.name.startsWith(prefix) && after(c.name))
    .sort((a, b) => compareNames(a.name, b.name));
  const liveByName = new Map(live.map((c) => [c.name, c]));
  const found: Listed[] = [];
  const admit = (entry: Listed): void => {
    if ((!activeOnly || entry.active) && visible(ctx, auth, entry.name)) found.push(entry);
  };
  let scannedTo: string | undefined;
  let li = 0;
  const takeLiveBefore = (bound: string | undefined): void => {
    while (found.length <= limit && li < live.length) {
      const ch = live[li]!;
      if (bound !== undefined && compareNames(ch.name, bound) >= 0) return;
      li++;
      admit({ name: ch.name, live: ch, active: isActive(ch) });
      scannedTo = ch.name;
    }
  };
  let storeCursor = cursor;
  let storeDone = false;
  for (let pages = 0; found.length <= limit && !storeDone; pages++) {
    if (pages === MAX_STORE_PAGES) break;
    const page = await ctx.audit.storedChannels({
      appId,
      prefix,
      activeOnly,
      limit: Math.min(limit * 2 + 1, ctx.limits.maxHistoryLimit),
      ...(storeCursor === undefined ? {} : { cursor: storeCursor }),
    });
    for (const record of page.items) {
      takeLiveBefore(record.name);
      if (found.length > limit) break;
      const here = liveByName.get(record.name);
      if (here) continue; // listed (or not) by takeLiveBefore or below, with its live state
      admit({ name: record.name, active: record.active });
      scannedTo = record.name;
    }
    storeCursor = page.next;
    storeDone = page.next === undefined;
  }
  if (storeDone) takeLiveBefore(undefined);
  const items = found.slice(0, limit);
  // More may follow when a page filled up, or when the store was not read to its end.
  const next =
    found.length > limit ? items[items.length - 1]?.name : storeDone ? undefined : scannedTo;
  const byValue = req.query.get('by') === 'value';
  const body = byValue
    ? items.map((e) => channelDetails(e.name, e.live, e.active))
    : items.map((e) => e.name);
  return respond(req, 200, body, { link: linkHeader('channels', req.query, next) });
}
