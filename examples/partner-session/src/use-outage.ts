import { useConnectionState } from '@switchboard/react';
import { useEffect, useState } from 'react';
import { bannerFor, type Banner } from './connection-banner.js';

/**
 * The connection state, the banner it calls for, and whether realtime is down. The outage clock
 * starts when the page stops being connected and is not reset by the client's retries, so a
 * connection that flaps between `connecting` and `disconnected` still reaches "Reconnecting…".
 */
export function useOutage(silentMs: number): { banner: Banner; down: boolean } {
  const state = useConnectionState();
  const down = state !== 'connected';
  const [downSince, setDownSince] = useState<number | null>(() => (down ? Date.now() : null));
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (!down) {
      setDownSince(null);
      return;
    }
    setDownSince((since) => since ?? Date.now());
    // Re-render when the silent period ends, so the banner appears without another state change.
    const tick = setInterval(() => setNow(Date.now()), Math.min(1000, silentMs));
    return () => clearInterval(tick);
  }, [down, silentMs]);

  const downFor = downSince === null ? 0 : Math.max(0, now - downSince);
  return { banner: bannerFor(state, downFor, silentMs), down };
}
