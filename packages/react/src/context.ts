import type { RealtimeProvider } from '@switchboard/kit/client';
import { createContext, createElement, useContext, useMemo, type ReactNode } from 'react';
import { createChannelRegistry, type ChannelRegistry } from './channel-registry.js';

interface RealtimeContextValue {
  client: RealtimeProvider;
  registry: ChannelRegistry;
}

const RealtimeContext = createContext<RealtimeContextValue | null>(null);

/** Props of RealtimeClientProvider. */
export interface RealtimeClientProviderProps {
  /** A client from `createRealtimeClient`; the component never creates, connects or closes it. */
  client: RealtimeProvider;
  /** How long an unused channel stays attached before release (ms, default 0). */
  releaseDelayMs?: number;
  children?: ReactNode;
}

/**
 * Makes a client available to the hooks below it. It owns no connection: the app connects and
 * closes the client, so a StrictMode double mount or a remount cannot kill it, and rendering on
 * the server opens nothing.
 */
export function RealtimeClientProvider(props: RealtimeClientProviderProps): ReactNode {
  const { client, releaseDelayMs } = props;
  const value = useMemo(
    () => ({
      client,
      registry: createChannelRegistry(
        client,
        releaseDelayMs === undefined ? {} : { releaseDelayMs },
      ),
    }),
    [client, releaseDelayMs],
  );
  return createElement(RealtimeContext.Provider, { value }, props.children);
}

/** The context value; throws a clear error outside a RealtimeClientProvider. */
export function useRealtimeContext(): RealtimeContextValue {
  const value = useContext(RealtimeContext);
  if (!value)
    throw new Error('Switchboard hooks need a <RealtimeClientProvider client={...}> above them');
  return value;
}

/** The client given to the nearest RealtimeClientProvider. */
export function useRealtimeClient(): RealtimeProvider {
  return useRealtimeContext().client;
}
