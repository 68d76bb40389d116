import { Errors, PresenceAction, type PresenceMessage } from '@switchboard/protocol';
import { appFromSpec, describeApp } from '../../apps/provision.js';
import { endAppConnections } from '../../connection/lifecycle.js';
import type { EngineContext } from '../../context.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { requireFullCapabilityKey, requireAdminOrDevelopment, isAdmin } from '../admin-auth.js';

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
  ctx.logger.info('app created', { appId: record.id, keys: record.keys.length, via: 'rest' });
  return respond(req, 201, describeApp(record));
}

/**
 * DELETE /apps/{id}: with the admin secret, or in development mode with a full-capability key of
 * that app (the ably-js test harness deletes its app with its first key). A key alone never
 * deletes an app in production: any leaked key of the app could otherwise destroy it.
 * The app's live connections are ended with an ERROR, so clients fail instead of staying
 * connected to an app that no longer exists.
 */
export async function deleteAppRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
): Promise<RestResponse> {
  if (!isAdmin(ctx, req)) {
    requireAdminOrDevelopment(ctx, 'Deleting apps');
    const auth = requireFullCapabilityKey(ctx, req, 'Deleting an app');
    if (auth.app.record.id !== appId)
      throw Errors.forbidden('Deleting an app needs a key of that app');
  }
  if (!(await ctx.apps.remove(appId))) throw Errors.notFound(`App not found: ${appId}`);
  endAppConnections(ctx, appId, Errors.appDeleted(appId));
  ctx.channels.dropApp(appId);
  ctx.stats.dropApp(appId);
  ctx.logger.info('app deleted', { appId, via: 'rest' });
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}
