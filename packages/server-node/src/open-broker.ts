import { createRedisBroker } from '@switchboard/broker-redis';
import { DEFAULT_LIMITS, type Broker, type Logger } from '@switchboard/server';
import type { SwitchboardConfig } from './config.js';

/**
 * The cluster broker the config names: Redis when `redisUrl` is set, else none (one node). Its
 * window and idempotency window follow the limits, so every node keeps the same ones.
 */
export async function openConfiguredBroker(
  config: SwitchboardConfig,
  logger?: Logger,
): Promise<Broker | undefined> {
  if (!config.redisUrl) return undefined;
  const limits = { ...DEFAULT_LIMITS, ...config.limits };
  return createRedisBroker({
    url: config.redisUrl,
    windowMax: limits.historyMaxMessages,
    idempotencyWindowMs: limits.idempotencyWindowMs,
    ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}),
    ...(config.nodeId ? { nodeId: config.nodeId } : {}),
    ...(logger ? { logger } : {}),
  });
}
