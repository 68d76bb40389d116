import type { RealtimeMessage } from '@switchboard/kit/client';
import { useCallback, useEffect } from 'react';
import { useRealtimeContext } from './context.js';
import { useLatest } from './use-latest.js';

/** What useChannel returns. */
export interface UseChannelResult {
  /** Publishes on the hook's channel. */
  publish(event: string, data?: unknown): Promise<void>;
}

/**
 * Subscribes to a channel (all events, or the named ones) while the component is mounted; the
 * channel is released once its last user unmounts. The listener may change between renders
 * without resubscribing.
 */
export function useChannel(
  channel: string,
  listener?: (message: RealtimeMessage) => void,
): UseChannelResult;
export function useChannel(
  channel: string,
  events: string | string[],
  listener: (message: RealtimeMessage) => void,
): UseChannelResult;
export function useChannel(
  channel: string,
  eventsOrListener?: string | string[] | ((message: RealtimeMessage) => void),
  maybeListener?: (message: RealtimeMessage) => void,
): UseChannelResult {
  const { client, registry } = useRealtimeContext();
  const events = typeof eventsOrListener === 'function' ? undefined : eventsOrListener;
  const listener = typeof eventsOrListener === 'function' ? eventsOrListener : maybeListener;
  const latest = useLatest(listener);
  const hasListener = listener !== undefined;
  // A stable key, so an inline array of event names does not resubscribe on every render.
  const eventsKey = events === undefined ? '' : ([] as string[]).concat(events).join('\u0000');

  useEffect(() => {
    const release = registry.acquire(channel);
    if (!hasListener) return release;
    let off: (() => void) | undefined;
    let live = true;
    const deliver = (m: RealtimeMessage): void => latest.current?.(m);
    const names = eventsKey === '' ? undefined : eventsKey.split('\u0000');
    const subscribed = names
      ? client.subscribe(channel, names, deliver)
      : client.subscribe(channel, deliver);
    subscribed.then(
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
  }, [client, registry, channel, eventsKey, hasListener, latest]);

  const publish = useCallback(
    (event: string, data?: unknown) => client.publish(channel, event, data),
    [client, channel],
  );
  return { publish };
}
