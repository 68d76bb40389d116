export { RealtimeClientProvider, useRealtimeClient } from './context.js';
export type { RealtimeClientProviderProps } from './context.js';
export { useConnectionState } from './use-connection-state.js';
export { useChannel } from './use-channel.js';
export type { UseChannelResult } from './use-channel.js';
export { usePresence, usePresenceListener } from './use-presence.js';
export type { UsePresenceResult } from './use-presence.js';
export { useTyping } from './use-typing.js';
export type { UseTypingOptions, UseTypingResult } from './use-typing.js';
