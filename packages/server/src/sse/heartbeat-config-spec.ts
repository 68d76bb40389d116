import { Errors } from '@switchboard/protocol';
import type { HeartbeatConfigRecord } from '../ports/heartbeat-config.js';

/** Bounds on a heartbeat row: below the floor a stream would be mostly heartbeats. */
export const HEARTBEAT_BOUNDS = { minIntervalMs: 100, maxMs: 86_400_000 } as const;

const CHANNEL_TYPE = /^[^:\s,]{1,128}$/;

/**
 * Checks a heartbeat row given by an operator (admin API or CLI); throws 40003 naming what is
 * wrong. The timeout must be at least the interval, or every stream would time out between beats.
 */
export function heartbeatConfigFromSpec(channelType: string, spec: unknown): HeartbeatConfigRecord {
  if (!CHANNEL_TYPE.test(channelType))
    throw Errors.invalidParameter(
      'channelType must be 1 to 128 characters without ":", "," or spaces (the part of a channel name before its first ":")',
    );
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw Errors.invalidParameter('The body must be an object with intervalMs and timeoutMs');
  const { intervalMs, timeoutMs } = spec as Record<string, unknown>;
  const valid = (v: unknown, min: number): v is number =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= HEARTBEAT_BOUNDS.maxMs;
  if (!valid(intervalMs, HEARTBEAT_BOUNDS.minIntervalMs))
    throw Errors.invalidParameter(
      `intervalMs must be an integer from ${HEARTBEAT_BOUNDS.minIntervalMs} to ${HEARTBEAT_BOUNDS.maxMs}`,
    );
  if (!valid(timeoutMs, intervalMs))
    throw Errors.invalidParameter(
      `timeoutMs must be an integer from intervalMs (${intervalMs}) to ${HEARTBEAT_BOUNDS.maxMs}`,
    );
  return { channelType, intervalMs, timeoutMs };
}
