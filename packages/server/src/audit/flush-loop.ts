import type { Logger } from '../logger.js';

/** How often a failing write-behind path repeats its warning (the first failure always warns). */
const WARN_EVERY_MS = 30_000;

/** One write-behind path's timer: flushes on a period, on demand, and a last time on stop. */
export interface FlushLoop {
  /** Flushes soon (next turn) rather than at the next period: the buffer is full. */
  kick(): void;
  /** Flushes until nothing is pending (or a write fails); resolves when done. */
  flushNow(): Promise<void>;
  /** Stops the timer and flushes what is pending. */
  stop(): Promise<void>;
  /** Store writes that failed (each is retried by a later flush). */
  readonly failures: number;
}

/**
 * Runs `flush` every `everyMs`, one at a time. `flush` writes one batch and says whether more is
 * pending; the loop continues on the next turn so a backlog never holds the event loop. A failed
 * write is logged (rate-limited) and left for the next period: the server never stops or crashes
 * because the store is unavailable.
 */
export function startFlushLoop(
  name: string,
  everyMs: number,
  flush: () => Promise<boolean>,
  logger: Logger,
): FlushLoop {
  let running: Promise<boolean> | undefined;
  let failures = 0;
  let warnedAt = -Infinity;
  let kicked = false;
  const once = (): Promise<boolean> => {
    running ??= flush()
      .then(
        (more) => more,
        (err: unknown) => {
          failures++;
          const now = Date.now();
          if (now - warnedAt >= WARN_EVERY_MS) {
            warnedAt = now;
            logger.warn(`Writing ${name} to the store failed; will retry`, {
              error: String(err),
              failures,
            });
          }
          return false;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const drain = async (): Promise<void> => {
    while (await once()) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const timer = setInterval(() => void drain(), everyMs);
  timer.unref();
  return {
    kick() {
      if (kicked) return;
      kicked = true;
      setImmediate(() => {
        kicked = false;
        void drain();
      });
    },
    async flushNow() {
      await running;
      await drain();
    },
    async stop() {
      clearInterval(timer);
      await running;
      await drain();
    },
    get failures() {
      return failures;
    },
  };
}
