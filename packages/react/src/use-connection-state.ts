import type { ConnectionState } from '@switchboard/kit/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useRealtimeClient } from './context.js';

/** The client's connection state, re-rendering on each change (the server render sees the current state). */
export function useConnectionState(): ConnectionState {
  const client = useRealtimeClient();
  const subscribe = useCallback(
    (onChange: () => void) => client.onConnectionStateChange(onChange),
    [client],
  );
  const snapshot = (): ConnectionState => client.connectionState;
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
