import type { Logger } from '../logger.js';
import type { Broker, BrokerLeaseTimes } from '../ports/broker.js';
import { startPeriodicTask, type PeriodicTask } from '../periodic-task.js';

/**
 * Looks for nodes whose lease ran out as often as leases are renewed, so a dead node's members
 * leave within leaseMs + renewMs of its last renewal (DEAD_NODE_BOUND_MS).
 */
export function startDeadNodeReaper(
  broker: Broker,
  lease: BrokerLeaseTimes,
  logger: Logger,
): PeriodicTask {
  return startPeriodicTask(
    async () => {
      const left = await broker.reapDeadNodes(Date.now());
      if (left > 0) logger.info('members of dead nodes left', { members: left });
    },
    lease.renewMs,
    logger,
    'looking for dead cluster nodes failed',
  );
}
