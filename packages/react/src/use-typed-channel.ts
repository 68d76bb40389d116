import {
  typedChannel,
  type ChannelDefinition,
  type ChannelParams,
  type EventSchemas,
  type TypedChannel,
  type TypedChannelOptions,
  type TypedMessage,
} from '@switchboard/kit/client';
import { useEffect, useMemo } from 'react';
import { useRealtimeContext } from './context.js';
import { useLatest } from './use-latest.js';

/**
 * useChannel for a catalog channel: the listener gets parsed, typed data; payloads that fail the
 * schema are dropped and reported (`options.onInvalid`); `channel.publish` validates before
 * sending. Same lifetime rules as useChannel.
 */
export function useTypedChannel<
  S extends string,
  E extends EventSchemas,
  P extends ChannelDefinition['presence'],
  K extends keyof E & string,
>(
  definition: ChannelDefinition<S, E, P>,
  params: ChannelParams<S>,
  events: K | K[],
  listener: (message: TypedMessage<E, K>) => void,
  options: TypedChannelOptions = {},
): { channel: TypedChannel<E, P> } {
  const { client, registry } = useRealtimeContext();
  const name = definition.name(params);
  const latest = useLatest(listener);
  const onInvalid = useLatest(options.onInvalid);
  const channel = useMemo(
    () =>
      typedChannel(client, definition, definition.match(name)!, {
        onInvalid: (report) => (onInvalid.current ?? console.warn)(report),
      }),
    [client, definition, name, onInvalid],
  );
  const eventsKey = ([] as string[]).concat(events).join('\u0000');

  useEffect(() => {
    const release = registry.acquire(name);
    let live = true;
    let off: (() => void) | undefined;
    channel
      .subscribe(eventsKey.split('\u0000') as K[], (m) => latest.current(m))
      .then(
        (unsubscribe) => {
          if (live) off = unsubscribe;
          else unsubscribe();
        },
        (err: unknown) => console.error('@switchboard/react: subscribe failed', err),
      );
    return () => {
      live = false;
      off?.();
      release();
    };
  }, [registry, channel, name, eventsKey, latest]);

  return { channel };
}
