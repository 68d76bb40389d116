// The browser-safe entry: providers, the client factory and typed catalogs (no node: imports).
export { createRealtimeClient } from './realtime/create-client.js';
export type { RealtimeProviders } from './realtime/create-client.js';
export { createAblyProvider } from './realtime/ably-provider.js';
export type { AblyProvider, AblyProviderOptions } from './realtime/ably-provider.js';
export { createMemoryProvider } from './realtime/memory-provider.js';
export type { MemoryProvider, MemoryProviderOptions } from './realtime/memory-provider.js';
export { createMemoryHub } from './realtime/memory-hub.js';
export type { MemoryHub, MemoryHubOptions } from './realtime/memory-hub.js';
export { RealtimeError } from './realtime/errors.js';
export type {
  ChannelState,
  ChannelStateChange,
  ConnectionState,
  ConnectionStateChange,
  HistoryOptions,
  PresenceAction,
  PresenceMember,
  RealtimeErrorInfo,
  RealtimeMessage,
  RealtimePresence,
  RealtimeProvider,
  Unsubscribe,
} from './realtime/types.js';
