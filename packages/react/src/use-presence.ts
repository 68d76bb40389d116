import type { PresenceMember } from '@switchboard/kit/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useRealtimeContext } from './context.js';
import { useLatest } from './use-latest.js';

/**
 * The presence set of a channel, kept current by presence events (each event re-reads the set,
 * which the client holds locally once synced): no polling. `onEvent` sees each event too.
 */
export function usePresenceListener(
  channel: string,
  onEvent?: (member: PresenceMember) => void,
): { members: PresenceMember[] } {
  const { client, registry } = useRealtimeContext();
  const [members, setMembers] = useState<PresenceMember[]>([]);
  const latest = useLatest(onEvent);

  useEffect(() => {
    const release = registry.acquire(channel);
    let live = true;
    let off: (() => void) | undefined;
    // Reads can overlap; only the newest answer may land.
    let asked = 0;
    const refresh = (): void => {
      const ticket = ++asked;
      client.presence.get(channel).then(
        (set) => {
          if (live && ticket === asked) setMembers(set);
        },
        (err: unknown) => console.error('@switchboard/react: presence.get failed', err),
      );
    };
    client.presence
      .subscribe(channel, (m) => {
        latest.current?.(m);
        refresh();
      })
      .then(
        (unsubscribe) => {
          if (!live) return unsubscribe();
          off = unsubscribe;
          refresh();
        },
        (err: unknown) => console.error('@switchboard/react: presence.subscribe failed', err),
      );
    return () => {
      live = false;
      off?.();
      release();
    };
  }, [client, registry, channel, latest]);

  return { members };
}

/** What usePresence returns. */
export interface UsePresenceResult {
  members: PresenceMember[];
  /** Changes this client's presence data. */
  update(data: unknown): Promise<void>;
}

/**
 * Enters the channel's presence with `data` on mount and leaves on unmount (StrictMode's
 * remount keeps the member rather than flashing leave/enter); returns the current set.
 */
export function usePresence(channel: string, data?: unknown): UsePresenceResult {
  const { client, registry } = useRealtimeContext();
  const { members } = usePresenceListener(channel);
  const initial = useLatest(data);
  const held = useRef<{ update(data: unknown): Promise<void> } | null>(null);

  useEffect(() => {
    const hold = registry.holdPresence(channel, initial.current);
    held.current = hold;
    return () => {
      held.current = null;
      hold.drop();
    };
  }, [registry, channel, initial]);

  const update = useCallback(
    (next: unknown) =>
      held.current ? held.current.update(next) : client.presence.update(channel, next),
    [client, channel],
  );
  return { members, update };
}
