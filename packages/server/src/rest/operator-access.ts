import { Errors } from '@switchboard/protocol';
import type { App } from '../apps/app-registry.js';
import type { EngineContext } from '../context.js';
import { isAdmin, requireFullCapabilityKey } from './admin-auth.js';
import type { RestRequest } from './http.js';

/**
 * Which apps an operator request (the dashboard's apps, keys, audit-log and webhook-delivery
 * routes) may see: every app with the admin secret; in development mode also the app of a
 * full-capability key. In production anything but the admin secret is 401 (40100), so the page
 * can say "log in" rather than "forbidden"; a key never reads other apps' keys or audit log.
 */
export function operatorScope(ctx: EngineContext, req: RestRequest, what: string): App[] {
  if (isAdmin(ctx, req)) return ctx.apps.list();
  if (!ctx.development) throw Errors.unauthorized(`${what} needs the admin secret`);
  return [requireFullCapabilityKey(ctx, req, what).app];
}

/** The app `appId` if the request may see it; 404 if it does not exist, 403 if out of scope. */
export function operatorApp(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
  what: string,
): App {
  const scope = operatorScope(ctx, req, what);
  const app = ctx.apps.get(appId);
  if (!app) throw Errors.notFound(`App not found: ${appId}`);
  if (!scope.some((a) => a.record.id === appId))
    throw Errors.forbidden(`${what} needs a key of that app`);
  return app;
}
