import { LATENCY_BUCKETS, type Engine } from '@switchboard/server';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The `/metrics` exposition: Prometheus text, and its content type. */
export interface MetricsEndpoint {
  readonly contentType: string;
  render(): Promise<string>;
}

/** A counter whose value is read from the engine's total when scraped. */
function totalCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** Counters by error code, read from the engine's map when scraped. */
function byCodeCounter(
  registry: Registry,
  name: string,
  help: string,
  read: () => ReadonlyMap<number, number>,
): void {
  new Counter({
    name,
    help,
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of read()) this.inc({ code: String(code) }, n);
    },
  });
}

/** The engine's latency buckets as a Prometheus histogram (cumulative `le` buckets). */
function latencyHistogram(engine: Engine): string {
  const { counts, sum, count } = engine.metrics.latency;
  const name = 'switchboard_publish_deliver_latency_seconds';
  const lines = [
    `# HELP ${name} Time from a publish to its hand-off to subscribers' sockets.`,
    `# TYPE ${name} histogram`,
  ];
  let cumulative = 0;
  LATENCY_BUCKETS.forEach((bound, i) => {
    cumulative += counts[i] ?? 0;
    lines.push(`${name}_bucket{le="${bound}"} ${cumulative}`);
  });
  lines.push(`${name}_bucket{le="+Inf"} ${count}`, `${name}_sum ${sum}`, `${name}_count ${count}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Builds the registry: Node's default process metrics (event-loop lag, memory, CPU) and
 * Switchboard's own. Labels are wire formats and error codes only: no secrets, no clients, no
 * channel names.
 */
export function createMetricsEndpoint(engine: Engine): MetricsEndpoint {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'switchboard_connections',
    help: 'Realtime connections by transport and wire format (suspended: waiting to resume).',
    labelNames: ['transport', 'format'],
    registers: [registry],
    collect() {
      const { connections } = engine.gauges();
      this.set({ transport: 'websocket', format: 'json' }, connections.json);
      this.set({ transport: 'websocket', format: 'msgpack' }, connections.msgpack);
      this.set({ transport: 'none', format: 'suspended' }, connections.suspended);
    },
  });
  const gauge = (name: string, help: string, read: () => number): void =>
    void new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('switchboard_channels', 'Channels held in memory.', () => engine.gauges().channels);
  gauge(
    'switchboard_presence_members',
    'Presence members over all channels.',
    () => engine.gauges().presenceMembers,
  );
  gauge(
    'switchboard_outbound_buffered_bytes',
    "Bytes waiting in connections' socket buffers.",
    () => engine.gauges().outboundBufferedBytes,
  );
  totalCounter(
    registry,
    'switchboard_messages_in_total',
    'Messages published (realtime and REST).',
    () => engine.metrics.messagesIn,
  );
  totalCounter(
    registry,
    'switchboard_deliveries_total',
    'Messages delivered to subscribers.',
    () => engine.metrics.deliveries,
  );
  byCodeCounter(
    registry,
    'switchboard_nacks_total',
    'Publishes refused (NACK), by Ably error code.',
    () => engine.metrics.nacks,
  );
  byCodeCounter(
    registry,
    'switchboard_errors_total',
    'Connection and REST errors sent, by Ably error code.',
    () => engine.metrics.errors,
  );
  return {
    contentType: registry.contentType,
    render: async () => `${await registry.metrics()}\n${latencyHistogram(engine)}`,
  };
}
