import type { EngineContext } from '../context.js';
import { startPeriodicTask, type PeriodicTask } from '../periodic-task.js';

/** How often used nonces and revocations that can no longer matter are pruned. */
export const RETENTION_SWEEP_MS = 60_000;

/** A running retention sweep; `stop` waits for a prune in progress, so the store can close after. */
export type RetentionSweep = PeriodicTask;

/** Rows one sweep deletes from a notification table at most, so a sweep never holds the store long. */
const NOTIFICATION_PRUNE_BATCH = 1000;

/**
 * Prunes the nonce cache and the revocation list (memory and store), the notification log past
 * its retention and nudge slots whose window has passed, now and then every RETENTION_SWEEP_MS,
 * one prune at a time, so the tables stay as small as the windows allow.
 */
export function startRetentionSweep(ctx: EngineContext): RetentionSweep {
  return startPeriodicTask(
    () => {
      const now = ctx.clock.now();
      const { notificationLogRetentionMs: keep, nudgeIntervalMs } = ctx.limits;
      return Promise.all([
        ctx.nonces.prune(now),
        ctx.revocations.prune(now),
        ctx.notificationLog.pruneNotifications(now - keep, NOTIFICATION_PRUNE_BATCH),
        ctx.notificationLog.pruneNudges(now - nudgeIntervalMs, NOTIFICATION_PRUNE_BATCH),
      ]);
    },
    RETENTION_SWEEP_MS,
    ctx.logger,
    'Pruning nonces, revocations or notifications failed',
  );
}
