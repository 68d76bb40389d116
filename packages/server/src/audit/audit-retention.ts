import { pruneInBatches } from '../auth/prune-in-batches.js';
import type { Logger } from '../logger.js';
import type { Limits } from '../limits.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { startPeriodicTask, type PeriodicTask } from '../periodic-task.js';

/** How often the operational tables are pruned. */
export const AUDIT_SWEEP_MS = 60_000;

/** A running sweep; `stop` waits for a prune in progress so the store can close after. */
export type AuditRetentionSweep = PeriodicTask;

/**
 * Prunes each operational table past its retention, in PRUNE_BATCH deletes with a yield between
 * them (so a backlog after long downtime never holds the event loop), one table at a time.
 */
export function startAuditRetention(
  store: Store,
  limits: Limits,
  clock: Clock,
  logger: Logger,
): AuditRetentionSweep {
  const sweep = async (): Promise<void> => {
    const now = clock.now();
    const before = (ms: number): number => now - ms;
    await pruneInBatches((n) => store.pruneEvents(before(limits.eventsLogRetentionMs), n));
    await pruneInBatches((n) =>
      store.pruneConnectionStats(before(limits.connectionStatsRetentionMs), n),
    );
    await pruneInBatches((n) => store.pruneChannels(before(limits.channelRegistryRetentionMs), n));
    await pruneInBatches((n) => store.pruneStatsMinutes(before(limits.statsRetentionMs), n));
    await pruneInBatches((n) => store.pruneHistory(before(limits.persistedHistoryRetentionMs), n));
    await pruneInBatches((n) =>
      store.pruneAnnotations(before(limits.persistedHistoryRetentionMs), n),
    );
  };
  return startPeriodicTask(sweep, AUDIT_SWEEP_MS, logger, 'Pruning the operational tables failed');
}
