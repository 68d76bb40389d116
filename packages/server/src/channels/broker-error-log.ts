import type { Logger } from '../logger.js';
import { createLogThrottle } from '../log-throttle.js';
import type { Clock } from '../ports/clock.js';

/**
 * The log line for a write the broker could not take (Redis unreachable): every refused publish
 * would otherwise be a line, so they are throttled, and the first line after a quiet window says
 * how many were left out.
 */
export function brokerErrorLog(logger: Logger, clock: Pick<Clock, 'now'>): (err: unknown) => void {
  const throttle = createLogThrottle(clock);
  return (err) => {
    const verdict = throttle.allow('broker');
    if (!verdict.log) return;
    logger.warn('cluster broker refused a write: publishes NACK with 50002 until it returns', {
      error: err instanceof Error ? err.message : String(err),
      ...(verdict.suppressed > 0 ? { suppressed: verdict.suppressed } : {}),
    });
  };
}
