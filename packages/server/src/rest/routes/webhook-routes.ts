import { Errors } from '@switchboard/protocol';
import type { App } from '../../apps/app-registry.js';
import type { EngineContext } from '../../context.js';
import { describeWebhookRule, webhookRuleFromSpec } from '../../webhooks/webhook-rules.js';
import { requireAdminOrDevelopment, requireFullCapabilityKey, isAdmin } from '../admin-auth.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';

/**
 * The app a webhook admin request may change: with the admin secret any app; in development
 * mode also with a full-capability key of that app. A key alone never manages webhooks in
 * production, since a rule can send the app's events anywhere.
 */
function adminApp(ctx: EngineContext, req: RestRequest, appId: string): App {
  if (!isAdmin(ctx, req)) {
    requireAdminOrDevelopment(ctx, 'Managing webhooks');
    const auth = requireFullCapabilityKey(ctx, req, 'Managing webhooks');
    if (auth.app.record.id !== appId)
      throw Errors.forbidden('Managing webhooks needs a key of that app');
  }
  const app = ctx.apps.get(appId);
  if (!app) throw Errors.notFound(`App not found: ${appId}`);
  return app;
}

const noContent = (): RestResponse => ({ status: 204, headers: {}, body: Buffer.alloc(0) });

/** GET /apps/{id}/webhooks: the app's rules, paused ones with when and why. */
export function listWebhooksRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
): RestResponse {
  const app = adminApp(ctx, req, appId);
  return respond(req, 200, (app.record.webhooks ?? []).map(describeWebhookRule));
}

/** POST /apps/{id}/webhooks: adds a rule, or replaces the one with the same id. */
export async function addWebhookRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
): Promise<RestResponse> {
  const app = adminApp(ctx, req, appId);
  const rule = webhookRuleFromSpec(app.record, decodeBody(req));
  const rules = (app.record.webhooks ?? []).filter((r) => r.id !== rule.id);
  await ctx.apps.save({ ...app.record, webhooks: [...rules, rule] });
  return respond(req, 201, describeWebhookRule(rule));
}

/** DELETE /apps/{id}/webhooks/{ruleId}: removes a rule; its pending batches are dropped. */
export async function removeWebhookRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
  ruleId: string,
): Promise<RestResponse> {
  const app = adminApp(ctx, req, appId);
  const rules = app.record.webhooks ?? [];
  if (!rules.some((r) => r.id === ruleId)) throw Errors.notFound(`Webhook not found: ${ruleId}`);
  await ctx.apps.save({ ...app.record, webhooks: rules.filter((r) => r.id !== ruleId) });
  return noContent();
}

/** POST /apps/{id}/webhooks/{ruleId}/resume: clears a rule's pause so its events flow again. */
export async function resumeWebhookRoute(
  ctx: EngineContext,
  req: RestRequest,
  appId: string,
  ruleId: string,
): Promise<RestResponse> {
  const app = adminApp(ctx, req, appId);
  const rules = app.record.webhooks ?? [];
  const rule = rules.find((r) => r.id === ruleId);
  if (!rule) throw Errors.notFound(`Webhook not found: ${ruleId}`);
  const { paused: _paused, ...resumed } = rule;
  await ctx.apps.save({
    ...app.record,
    webhooks: rules.map((r) => (r.id === ruleId ? resumed : r)),
  });
  ctx.webhooks.resumed(appId, ruleId);
  return respond(req, 200, describeWebhookRule(resumed));
}
