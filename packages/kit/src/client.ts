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
export { defineChannel } from './catalog/define-channel.js';
export type {
  ChannelDefinition,
  ChannelParams,
  EventSchemas,
  PatternParams,
} from './catalog/define-channel.js';
export { typedChannel } from './catalog/typed-channel.js';
export type { TypedChannel, TypedChannelOptions, TypedMessage } from './catalog/typed-channel.js';
export { CatalogValidationError } from './catalog/validation.js';
export type { InvalidEventReport } from './catalog/validation.js';
export { mergeCapabilities } from './catalog/capability.js';
export type { Capability, Operation } from './catalog/capability.js';
export {
  mediationCatalog,
  mediationPresenceChannel,
  mediationSessionChannel,
} from './catalogs/mediation.js';
export { chatCatalog, chatConversationChannel } from './catalogs/chat.js';
