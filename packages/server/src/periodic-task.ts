import type { Logger } from './logger.js';

/** A task run now and then every interval; `stop` waits for a run in progress. */
export interface PeriodicTask {
  stop(): Promise<void>;
}

/**
 * Runs `task` now and every `everyMs`, one run at a time. A failed run is logged and left for the
 * next one: housekeeping (pruning) must never take the server down.
 */
export function startPeriodicTask(
  task: () => Promise<unknown>,
  everyMs: number,
  logger: Logger,
  failure: string,
): PeriodicTask {
  let running: Promise<void> | undefined;
  const run = (): void => {
    if (running) return;
    running = task()
      .then(
        () => {},
        (err: unknown) => logger.warn(failure, { error: String(err) }),
      )
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
