import {
  createAblyProvider,
  type AblyProvider,
  type AblyProviderOptions,
} from './ably-provider.js';
import {
  createMemoryProvider,
  type MemoryProvider,
  type MemoryProviderOptions,
} from './memory-provider.js';

/** The providers `createRealtimeClient` knows, with their options and the client each returns. */
export interface RealtimeProviders {
  ably: { options: AblyProviderOptions; client: AblyProvider };
  memory: { options: MemoryProviderOptions; client: MemoryProvider };
}

/**
 * Builds a client of the named provider. It does not connect: call `connect()` (the React
 * provider component never does it for you, so nothing connects during server-side rendering).
 */
export function createRealtimeClient<K extends keyof RealtimeProviders>(
  provider: K,
  options: RealtimeProviders[K]['options'],
): RealtimeProviders[K]['client'];
export function createRealtimeClient(provider: 'memory'): MemoryProvider;
export function createRealtimeClient(
  provider: keyof RealtimeProviders,
  options?: AblyProviderOptions | MemoryProviderOptions,
): AblyProvider | MemoryProvider {
  switch (provider) {
    case 'ably':
      if (!options)
        throw new TypeError("createRealtimeClient('ably') needs the ably client options");
      return createAblyProvider(options as AblyProviderOptions);
    case 'memory':
      return createMemoryProvider((options ?? {}) as MemoryProviderOptions);
    default:
      throw new TypeError(
        `Unknown realtime provider: ${String(provider)} (expected 'ably' or 'memory')`,
      );
  }
}
