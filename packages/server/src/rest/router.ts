import { Errors, isErrorInfo } from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import { respond, respondError } from './body-codec.js';
import { logRestError } from './rest-log.js';
import { healthRoute, readyRoute } from './routes/health-routes.js';
import type { RestRequest, RestResponse } from './http.js';
import { createAppRoute, deleteAppRoute } from './routes/app-routes.js';
import {
  createKeyRoute,
  listAppsRoute,
  listDeliveriesRoute,
  listEventsRoute,
  revokeKeyRoute,
} from './routes/operator-routes.js';
import {
  addWebhookRoute,
  listWebhooksRoute,
  removeWebhookRoute,
  resumeWebhookRoute,
} from './routes/webhook-routes.js';
import { channelListRoute } from './routes/channel-list-route.js';
import {
  channelStatusRoute,
  historyRoute,
  presenceHistoryRoute,
  presenceRoute,
  publishRoute,
} from './routes/channel-routes.js';
import { requestTokenRoute } from './routes/token-routes.js';
import {
  addReactionRoute,
  chatHistoryRoute,
  chatMessageVersionsRoute,
  clientReactionsRoute,
  deleteChatMessageRoute,
  getChatMessageRoute,
  removeReactionRoute,
  roomOccupancyRoute,
  sendChatMessageRoute,
  updateChatMessageRoute,
} from './routes/chat-routes.js';
import { getAnnotationsRoute, publishAnnotationsRoute } from './routes/annotation-routes.js';
import {
  getMessageRoute,
  messageVersionsRoute,
  patchMessageRoute,
} from './routes/message-routes.js';
import { batchPresenceRoute, batchPublishRoute, revokeTokensRoute } from './routes/batch-routes.js';
import { postStatsRoute, statsRoute } from './routes/stats-routes.js';
import { disconnectRevoked } from '../connection/lifecycle.js';
import {
  getDeviceRoute,
  listDevicesRoute,
  registerDeviceRoute,
  removeDeviceRoute,
  removeDevicesRoute,
  saveDeviceRoute,
} from './routes/push-device-routes.js';
import {
  listPushChannelsRoute,
  listSubscriptionsRoute,
  removeSubscriptionsRoute,
  saveSubscriptionRoute,
} from './routes/push-subscription-routes.js';
import { pushPublishRoute } from './routes/push-publish-route.js';
import { notificationsRoute, notifyRoute } from './routes/notify-routes.js';
import {
  deleteHeartbeatConfigRoute,
  listHeartbeatConfigRoute,
  saveHeartbeatConfigRoute,
} from './routes/heartbeat-config-routes.js';

type Handler = (
  ctx: EngineContext,
  req: RestRequest,
  ...params: string[]
) => RestResponse | Promise<RestResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const SEG = '([^/]+)';
const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, SEG)}/?$`),
  handler,
});

const ROUTES: Route[] = [
  route('GET', '/time', (ctx, req) => respond(req, 200, [ctx.clock.now()])),
  route('GET', '/health', healthRoute),
  route('GET', '/ready', readyRoute),
  route('POST', '/apps', createAppRoute),
  route('DELETE', '/apps/{id}', deleteAppRoute),
  // The operator routes the dashboard reads and writes (admin secret, or a dev-mode key).
  route('GET', '/apps', listAppsRoute),
  route('POST', '/apps/{id}/keys', createKeyRoute),
  route('DELETE', '/apps/{id}/keys/{keyName}', revokeKeyRoute),
  route('GET', '/apps/{id}/events', listEventsRoute),
  route('GET', '/apps/{id}/webhooks/{rule}/deliveries', listDeliveriesRoute),
  route('GET', '/apps/{id}/webhooks', listWebhooksRoute),
  route('POST', '/apps/{id}/webhooks', addWebhookRoute),
  route('DELETE', '/apps/{id}/webhooks/{rule}', removeWebhookRoute),
  route('POST', '/apps/{id}/webhooks/{rule}/resume', resumeWebhookRoute),
  route('POST', '/keys/{keyName}/requestToken', requestTokenRoute),
  route('GET', '/channels', channelListRoute),
  route('GET', '/channels/{ch}', channelStatusRoute),
  route('POST', '/channels/{ch}/messages', publishRoute),
  route('GET', '/channels/{ch}/messages', historyRoute),
  route('GET', '/channels/{ch}/messages/{serial}', getMessageRoute),
  route('PATCH', '/channels/{ch}/messages/{serial}', patchMessageRoute),
  route('GET', '/channels/{ch}/messages/{serial}/versions', messageVersionsRoute),
  route('POST', '/channels/{ch}/messages/{serial}/annotations', publishAnnotationsRoute),
  route('GET', '/channels/{ch}/messages/{serial}/annotations', getAnnotationsRoute),
  route('GET', '/channels/{ch}/presence', presenceRoute),
  route('GET', '/channels/{ch}/presence/history', presenceHistoryRoute),
  // The Chat REST API v4, as the official Chat SDK calls it.
  route('POST', '/chat/v4/rooms/{room}/messages', sendChatMessageRoute),
  route('GET', '/chat/v4/rooms/{room}/messages', chatHistoryRoute),
  route('GET', '/chat/v4/rooms/{room}/messages/{serial}', getChatMessageRoute),
  route('PUT', '/chat/v4/rooms/{room}/messages/{serial}', updateChatMessageRoute),
  route('POST', '/chat/v4/rooms/{room}/messages/{serial}/delete', deleteChatMessageRoute),
  route('GET', '/chat/v4/rooms/{room}/messages/{serial}/versions', chatMessageVersionsRoute),
  route('POST', '/chat/v4/rooms/{room}/messages/{serial}/reactions', addReactionRoute),
  route('DELETE', '/chat/v4/rooms/{room}/messages/{serial}/reactions', removeReactionRoute),
  route('GET', '/chat/v4/rooms/{room}/messages/{serial}/client-reactions', clientReactionsRoute),
  route('GET', '/chat/v4/rooms/{room}/occupancy', roomOccupancyRoute),
  route('POST', '/messages', batchPublishRoute),
  route('GET', '/presence', batchPresenceRoute),
  route('POST', '/keys/{keyName}/revokeTokens', (ctx, req, keyName) =>
    revokeTokensRoute(ctx, req, keyName!, (k, c, t) => disconnectRevoked(ctx, k, c, t)),
  ),
  route('GET', '/stats', statsRoute),
  route('POST', '/stats', postStatsRoute),
  // The push admin API (RSH1) and device activation (RSH3).
  route('POST', '/push/publish', pushPublishRoute),
  route('POST', '/push/deviceRegistrations', registerDeviceRoute),
  route('GET', '/push/deviceRegistrations', listDevicesRoute),
  route('DELETE', '/push/deviceRegistrations', removeDevicesRoute),
  route('GET', '/push/deviceRegistrations/{id}', getDeviceRoute),
  route('PUT', '/push/deviceRegistrations/{id}', saveDeviceRoute),
  route('PATCH', '/push/deviceRegistrations/{id}', saveDeviceRoute),
  route('DELETE', '/push/deviceRegistrations/{id}', removeDeviceRoute),
  route('POST', '/push/channelSubscriptions', saveSubscriptionRoute),
  route('GET', '/push/channelSubscriptions', listSubscriptionsRoute),
  route('DELETE', '/push/channelSubscriptions', removeSubscriptionsRoute),
  route('GET', '/push/channels', listPushChannelsRoute),
  // Presence-routed notifications with push fallback, and their log.
  route('POST', '/notify', notifyRoute),
  route('GET', '/notifications', notificationsRoute),
  // SSE heartbeat interval and timeout per channel type (operator only).
  route('GET', '/heartbeat-config', listHeartbeatConfigRoute),
  route('PUT', '/heartbeat-config/{type}', saveHeartbeatConfigRoute),
  route('DELETE', '/heartbeat-config/{type}', deleteHeartbeatConfigRoute),
];

/**
 * Decodes the percent-encoding of one path segment. Done here, once for every route, so that
 * malformed input (`%E0%A4%A`, `%zz`) is a 400 before any handler sees it rather than a
 * URIError escaping as a 500 from whichever handler forgot to guard its decode.
 */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw Errors.badRequest('Malformed percent-encoding in the request path');
  }
}

/**
 * Routes one REST request; every failure becomes an Ably error response, never a throw. Route
 * parameters reach handlers already percent-decoded.
 */
export async function handleRest(ctx: EngineContext, req: RestRequest): Promise<RestResponse> {
  try {
    for (const r of ROUTES) {
      if (r.method !== req.method) continue;
      const match = r.pattern.exec(req.path);
      if (match) return await r.handler(ctx, req, ...match.slice(1).map((p) => decodeParam(p!)));
    }
    // Ably answers an unknown method on a known path with 404 too (ably-js request_404).
    throw Errors.notFound(`No route for ${req.method} ${req.path}`);
  } catch (err) {
    if (isErrorInfo(err)) {
      ctx.metrics.countError(err.code);
      logRestError(ctx, req, err);
      return respondError(req, err);
    }
    ctx.metrics.countError(50000);
    // A throw that is not an ErrorInfo is a bug: never throttled, always worth a line.
    ctx.logger.error('REST handler failed', {
      method: req.method,
      path: req.path.slice(0, 200),
      error: String(err),
    });
    return respondError(req, Errors.internalError());
  }
}
