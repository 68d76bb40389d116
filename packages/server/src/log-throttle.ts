import type { Clock } from './ports/clock.js';

/** Lines per kind a throttle lets through per window. */
const LINES_PER_WINDOW = 10;
/** The throttle's window (ms). */
const WINDOW_MS = 10_000;
/** Kinds tracked at once; past it the map is cleared, so odd kinds cannot grow it. */
const MAX_KINDS = 1_000;

/** What a throttle decided for one line: log it (with how many were left out before), or not. */
export type ThrottleVerdict = { log: true; suppressed: number } | { log: false };

/**
 * Bounds log lines that no connection owns (a refused REST request, a connect with bad
 * credentials): a client can repeat those as fast as it can send, and each must not become a
 * line. At most LINES_PER_WINDOW per kind per WINDOW_MS; the first line of the next window says
 * how many were left out.
 */
export interface LogThrottle {
  allow(kind: string): ThrottleVerdict;
}

/** Creates a log throttle on the engine's clock. */
export function createLogThrottle(clock: Pick<Clock, 'now'>): LogThrottle {
  const windows = new Map<string, { start: number; lines: number; suppressed: number }>();
  return {
    allow(kind) {
      const now = clock.now();
      let w = windows.get(kind);
      if (!w || now - w.start >= WINDOW_MS) {
        if (!w && windows.size >= MAX_KINDS) windows.clear();
        const suppressed = w?.suppressed ?? 0;
        w = { start: now, lines: 1, suppressed: 0 };
        windows.set(kind, w);
        return { log: true, suppressed };
      }
      if (w.lines < LINES_PER_WINDOW) {
        w.lines++;
        return { log: true, suppressed: 0 };
      }
      w.suppressed++;
      return { log: false };
    },
  };
}
