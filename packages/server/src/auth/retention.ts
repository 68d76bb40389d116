import type { EngineContext } from '../context.js';

/** How often used nonces and revocations that can no longer matter are pruned. */
export const RETENTION_SWEEP_MS = 60_000;

/** A running retention sweep; `stop` waits for a prune in progress, so the store can close after. */
export interface RetentionSweep {
  stop(): Promise<void>;
}

/**
 * Prunes the nonce cache and the revocation list (memory and store) now and then every
 * RETENTION_SWEEP_MS, one prune at a time, so the tables stay as small as the windows allow.
 */
export function startRetentionSweep(ctx: EngineContext): RetentionSweep {
  let running: Promise<void> | undefined;
  const run = (): void => {
    if (running) return;
    const now = ctx.clock.now();
    running = Promise.all([ctx.nonces.prune(now), ctx.revocations.prune(now)])
      .then(
        () => {},
        // A failed prune only leaves rows for the next sweep; it must not take the server down.
        (err: unknown) =>
          ctx.logger.warn('Pruning nonces and revocations failed', { error: String(err) }),
      )
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, RETENTION_SWEEP_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
