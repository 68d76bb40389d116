import { timingSafeEqual } from 'node:crypto';
import { Errors, PresenceAction, parseKey, type PresenceMessage } from '@switchboard/protocol';
import { appFromSpec, describeApp } from '../../apps/provision.js';
import type { EngineContext } from '../../context.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';

function isAdmin(ctx: EngineContext, req: RestRequest): boolean {
  const secret = ctx.adminSecret;
  const given =
    req.headers['x-switchboard-admin-secret'] ??
    req.headers.authorization?.replace(/^Bearer /i, '');
  if (!secret || !given) return false;
  const a = Buffer.from(secret);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Loads an app's presence fixtures as members that belong to no live connection. */
export function loadPresenceFixtures(
  ctx: EngineContext,
  appId: string,
  channels: { name: string; presence: { clientId: string; data?: string; encoding?: string }[] }[],
): void {
  const now = ctx.clock.now();
  const connectionId = `fixtures${appId}`;
  for (const spec of channels) {
    const channel = ctx.channels.get(appId, spec.name);
    const events: PresenceMessage[] = [];
    spec.presence.forEach((member, i) => {
      const event: PresenceMessage & { clientId: string; connectionId: string } = {
        action: PresenceAction.ENTER,
        id: `${connectionId}:0:${i}`,
        clientId: member.clientId,
        connectionId,
        timestamp: now,
      };
      if (member.data !== undefined) event.data = member.data;
      if (member.encoding !== undefined) event.encoding = member.encoding;
      const applied = channel.presence.apply(event);
      if (applied) events.push(applied);
    });
    channel.broadcastPresence(events, `${connectionId}:0`, connectionId, now);
  }
}

/**
 * POST /apps: creates an app the way Ably's sandbox does. Open in development mode, otherwise
 * it needs the admin secret.
 */
export async function createAppRoute(ctx: EngineContext, req: RestRequest): Promise<RestResponse> {
  if (!ctx.development && !isAdmin(ctx, req))
    throw Errors.forbidden('Creating apps needs the admin secret');
  const record = appFromSpec(decodeBody(req), ctx.clock.now());
  await ctx.apps.save(record);
  if (record.channels) loadPresenceFixtures(ctx, record.id, record.channels);
  return respond(req, 201, describeApp(record));
}

/** DELETE /apps/{id}: with a key of that app (Basic) or the admin secret. */
export async function deleteAppRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
): Promise<RestResponse> {
  if (!isAdmin(ctx, req)) {
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Basic ')) throw Errors.unauthorized();
    const parsed = parseKey(Buffer.from(auth.slice(6), 'base64').toString('utf8'));
    const key = ctx.apps.findKey(parsed.keyName);
    const ok =
      key &&
      key.appId === appId &&
      key.secret.length === parsed.secret.length &&
      timingSafeEqual(Buffer.from(key.secret), Buffer.from(parsed.secret));
    if (!ok) throw Errors.invalidCredentials();
  }
  if (!(await ctx.apps.remove(appId))) throw Errors.notFound(`App not found: ${appId}`);
  ctx.channels.dropApp(appId);
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}
