import { channelType } from '../ports/audit-store.js';
import {
  FALLBACK_HEARTBEAT,
  type HeartbeatConfigRecord,
  type HeartbeatConfigStore,
} from '../ports/heartbeat-config.js';

/** How long the table read is reused: edits by the CLI (another process) show within this. */
export const HEARTBEAT_CONFIG_CACHE_MS = 2_000;

/** The heartbeat a stream gets. */
export interface Heartbeat {
  intervalMs: number;
  timeoutMs: number;
}

/** The heartbeat_config table as SSE streams read it: cached, refreshed after edits. */
export interface HeartbeatSettings {
  /**
   * The heartbeat for a stream over these channels: the shortest interval and timeout among
   * their types, so no channel's subscribers wait longer than their type promises.
   */
  forChannels(names: readonly string[]): Promise<Heartbeat>;
  /** Forgets the cached rows (after an edit through this process). */
  invalidate(): void;
}

/** Creates the cached view of the table. */
export function createHeartbeatSettings(
  store: Pick<HeartbeatConfigStore, 'listHeartbeatConfig'>,
  now: () => number,
): HeartbeatSettings {
  let cached: { at: number; rows: Promise<Map<string, HeartbeatConfigRecord>> } | undefined;
  const rows = (): Promise<Map<string, HeartbeatConfigRecord>> => {
    const t = now();
    if (!cached || t - cached.at >= HEARTBEAT_CONFIG_CACHE_MS) {
      const read = store
        .listHeartbeatConfig()
        .then((list) => new Map(list.map((r) => [r.channelType, r])));
      // A failed read is not kept: the next stream tries the store again.
      read.catch(() => (cached = undefined));
      cached = { at: t, rows: read };
    }
    return cached.rows;
  };
  return {
    async forChannels(names) {
      const table = await rows();
      let best: Heartbeat | undefined;
      for (const name of names) {
        const row = table.get(channelType(name)) ?? FALLBACK_HEARTBEAT;
        best = {
          intervalMs: Math.min(best?.intervalMs ?? Infinity, row.intervalMs),
          timeoutMs: Math.min(best?.timeoutMs ?? Infinity, row.timeoutMs),
        };
      }
      return best ?? { ...FALLBACK_HEARTBEAT };
    },
    invalidate() {
      cached = undefined;
    },
  };
}
