/**
 * SSE heartbeat settings per channel type (the part of a channel name before its first `:`), as
 * the B2B platform's `realtime_heartbeat_config` table keeps them.
 */

/** How often an SSE stream on channels of one type gets a heartbeat, and when a client gives up. */
export interface HeartbeatConfigRecord {
  channelType: string;
  /** Time between heartbeat events (ms). */
  intervalMs: number;
  /** How long a client waits without a heartbeat before it treats the stream as dead (ms). */
  timeoutMs: number;
}

/** The heartbeat_config table. */
export interface HeartbeatConfigStore {
  /** Every configured channel type, ordered by type. */
  listHeartbeatConfig(): Promise<HeartbeatConfigRecord[]>;
  /** Adds or replaces the row of `channelType`. */
  saveHeartbeatConfig(record: HeartbeatConfigRecord): Promise<void>;
  /** Removes a row; resolves false when there was none. */
  deleteHeartbeatConfig(channelType: string): Promise<boolean>;
}

/** What a channel type without a row gets: the B2B platform's default, 30 s / 90 s. */
export const FALLBACK_HEARTBEAT = { intervalMs: 30_000, timeoutMs: 90_000 } as const;

/** The rows every new store starts with: the B2B platform's seed. */
export const DEFAULT_HEARTBEAT_CONFIG: readonly HeartbeatConfigRecord[] = [
  { channelType: 'organization', intervalMs: 60_000, timeoutMs: 180_000 },
  { channelType: 'project', intervalMs: 30_000, timeoutMs: 90_000 },
  { channelType: 'session', intervalMs: 30_000, timeoutMs: 90_000 },
  { channelType: 'system', intervalMs: 60_000, timeoutMs: 180_000 },
  { channelType: 'user', intervalMs: 30_000, timeoutMs: 90_000 },
];

const byType = (a: HeartbeatConfigRecord, b: HeartbeatConfigRecord): number =>
  a.channelType < b.channelType ? -1 : a.channelType > b.channelType ? 1 : 0;

/** The reference implementation, seeded with DEFAULT_HEARTBEAT_CONFIG. */
export function createMemoryHeartbeatConfig(): HeartbeatConfigStore {
  const rows = new Map(DEFAULT_HEARTBEAT_CONFIG.map((r) => [r.channelType, { ...r }]));
  return {
    listHeartbeatConfig: async () => [...rows.values()].map((r) => ({ ...r })).sort(byType),
    saveHeartbeatConfig: async (r) => void rows.set(r.channelType, { ...r }),
    deleteHeartbeatConfig: async (channelType) => rows.delete(channelType),
  };
}
