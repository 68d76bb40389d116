/** Upper bounds (seconds) of the publish → hand-off latency histogram's buckets. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Process-wide counters for `/metrics`: plain numbers bumped on the hot path, read by the host
 * when scraped. Labels are kinds and codes only, never clients, channels or data.
 */
export interface EngineMetrics {
  messagesIn: number;
  deliveries: number;
  /** NACKs sent, by error code. */
  readonly nacks: Map<number, number>;
  /** Connection errors (ERROR, DISCONNECTED with an error) and REST errors, by code. */
  readonly errors: Map<number, number>;
  /** Publish → hand-off to subscribers' sockets, seconds: counts per bucket (cumulative on read). */
  readonly latency: { counts: number[]; sum: number; count: number };
  countNack(code: number): void;
  countError(code: number): void;
  observeLatency(seconds: number): void;
}

/** Creates the counters at zero. */
export function createEngineMetrics(): EngineMetrics {
  const bump = (map: Map<number, number>, code: number): void =>
    void map.set(code, (map.get(code) ?? 0) + 1);
  const latency = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
  return {
    messagesIn: 0,
    deliveries: 0,
    nacks: new Map(),
    errors: new Map(),
    latency,
    countNack(code) {
      bump(this.nacks, code);
    },
    countError(code) {
      bump(this.errors, code);
    },
    observeLatency(seconds) {
      latency.sum += seconds;
      latency.count += 1;
      const i = LATENCY_BUCKETS.findIndex((b) => seconds <= b);
      if (i >= 0) latency.counts[i]! += 1;
    },
  };
}
