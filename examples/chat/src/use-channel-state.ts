import type { ChannelState } from '@switchboard/kit/client';
import { useRealtimeClient } from '@switchboard/react';
import { useCallback, useSyncExternalStore } from 'react';

/** A channel's state on this page's client (`attached` once live events can arrive). */
export function useChannelState(channel: string): ChannelState {
  const client = useRealtimeClient();
  const subscribe = useCallback(
    (onChange: () => void) =>
      client.onChannelStateChange((change) => {
        if (change.channel === channel) onChange();
      }),
    [client, channel],
  );
  const snapshot = () => client.channelState(channel);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
