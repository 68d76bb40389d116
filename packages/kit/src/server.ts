// The server-side entry: what an app backend uses (Node only).
export { createNotifier, NotifyError } from './notifier.js';
export type { Notifier, NotifierOptions, NotifyInput, NotifyResult } from './notifier.js';
export { verifyWebhookSignature } from './webhook-signature.js';
export { createTokenRequest, parseKey } from './server/token-request.js';
export type { TokenRequest, TokenRequestInput } from './server/token-request.js';
export {
  createExpressTokenHandler,
  createTokenHandler,
  createTokenRoute,
} from './server/token-endpoint.js';
export type {
  ExpressLikeRequest,
  ExpressLikeResponse,
  TokenAuthRequest,
  TokenEndpointOptions,
  TokenGrant,
} from './server/token-endpoint.js';
export { createEventBridge, defaultBridgeRoutes } from './server/event-bridge.js';
export type {
  BridgeError,
  BridgeRoute,
  BridgeStats,
  EventBridge,
  EventBridgeOptions,
  EventBusLike,
} from './server/event-bridge.js';
// Catalogs and capability builders are needed server-side too (token scopes, typed publishing).
export * from './client.js';
