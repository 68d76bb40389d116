import * as Ably from 'ably';
import { randomBytes } from 'node:crypto';

/** Anything with EventEmitter's `on` and `off` (or `removeListener`): Node's EventEmitter, mitt, an app bus. */
export interface EventBusLike {
  on(event: string, listener: (payload: unknown) => void): unknown;
  off?(event: string, listener: (payload: unknown) => void): unknown;
  removeListener?(event: string, listener: (payload: unknown) => void): unknown;
}

/** Where one bus event goes. */
export interface BridgeRoute {
  /**
   * The channel: a template whose `{field}` placeholders are read from the payload (from
   * `payload.payload` when the bus wraps it, as many buses do), or a function of the payload.
   */
  channel: string | ((payload: unknown) => string);
  /** The message name (default: the bus event's name). */
  name?: string;
  /** The message data (default: the payload). */
  data?(payload: unknown): unknown;
}

/** The mapping table most B2B backends start with. */
export const defaultBridgeRoutes: Record<string, BridgeRoute> = {
  'project.updated': { channel: 'project:{projectId}' },
  'session.message': { channel: 'session:{sessionId}' },
  'obligation.changed': { channel: 'organization:{organizationId}' },
};

/** Options of createEventBridge. */
export interface EventBridgeOptions {
  bus: EventBusLike;
  /** Bus event name → route. */
  routes: Record<string, BridgeRoute>;
  /** A REST client (official `ably`), or the options to build one (endpoint, key…). */
  rest: Ably.Rest | Ably.ClientOptions;
  /** Events gathered into one batch publish: flushed at `maxMessages` or after `maxDelayMs`. */
  batch?: { maxMessages?: number; maxDelayMs?: number };
  /** Retries of a failed batch (network, 5xx, 429), with exponential backoff and jitter. */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Events waiting to go out; beyond it new events are dropped and reported (default 10,000). */
  maxQueued?: number;
  /** An event that could not be routed or delivered, with why. */
  onError?(error: BridgeError): void;
  /** Before each retry (for logs and tests). */
  onRetry?(info: { attempt: number; delayMs: number; error: unknown }): void;
}

/** A bridged event that did not make it, and why. */
export interface BridgeError {
  event: string;
  channel?: string;
  reason: 'unroutable' | 'queue-full' | 'rejected' | 'retries-exhausted';
  error?: unknown;
}

/** Counters since start. */
export interface BridgeStats {
  /** Events published (acknowledged by the service). */
  published: number;
  /** Batch publish requests made, retries included. */
  requests: number;
  retries: number;
  dropped: number;
}

/** A running bridge. */
export interface EventBridge {
  readonly stats: BridgeStats;
  /** Sends what is queued now; resolves once it is delivered or given up. */
  flush(): Promise<void>;
  /** Stops listening, then flushes. */
  stop(): Promise<void>;
}

interface Pending {
  event: string;
  channel: string;
  message: { id: string; name: string; data: unknown };
}

/** Fills `{field}` from the payload; a missing or unsafe field makes the event unroutable. */
function resolveChannel(route: BridgeRoute, payload: unknown): string {
  if (typeof route.channel === 'function') return route.channel(payload);
  const source = (
    payload &&
    typeof payload === 'object' &&
    'payload' in payload &&
    typeof payload.payload === 'object'
      ? payload.payload
      : payload
  ) as Record<string, unknown> | null;
  return route.channel.replace(/\{([^}]+)\}/g, (_m, field: string) => {
    const value = source?.[field];
    if (
      (typeof value !== 'string' && typeof value !== 'number') ||
      value === '' ||
      /[:*,\s]/.test(String(value))
    ) {
      throw new TypeError(`payload has no usable "${field}" for ${route.channel}`);
    }
    return String(value);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function retryable(err: unknown): boolean {
  const status = (err as { statusCode?: number } | null)?.statusCode;
  return status === undefined || status >= 500 || status === 429 || status === 408;
}

/**
 * Forwards bus events to channels: each routed event becomes a message, gathered into REST batch
 * publishes (RSC22) sent one at a time so a channel's messages keep their order, retried with
 * backoff. Message ids are fixed before the first attempt, so a retry of a batch that did land
 * is deduplicated by the service (idempotent publishing, RSL1k) instead of delivered twice.
 */
export function createEventBridge(options: EventBridgeOptions): EventBridge {
  const rest = options.rest instanceof Ably.Rest ? options.rest : new Ably.Rest(options.rest);
  const maxMessages = options.batch?.maxMessages ?? 100;
  const maxDelayMs = options.batch?.maxDelayMs ?? 20;
  const attempts = options.retry?.attempts ?? 5;
  const baseDelayMs = options.retry?.baseDelayMs ?? 100;
  const maxRetryDelayMs = options.retry?.maxDelayMs ?? 5_000;
  const maxQueued = options.maxQueued ?? 10_000;
  const report =
    options.onError ??
    ((e: BridgeError) => console.error('event bridge:', e.reason, e.event, e.error ?? ''));
  const stats: BridgeStats = { published: 0, requests: 0, retries: 0, dropped: 0 };
  const idBase = randomBytes(9).toString('base64url');
  let serial = 0;
  let queue: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> = Promise.resolve();

  const drop = (e: BridgeError, count = 1): void => {
    stats.dropped += count;
    report(e);
  };

  /** Sends one batch, retrying what failed for a retryable reason. */
  const send = async (batch: Pending[]): Promise<void> => {
    let left = batch;
    for (let attempt = 1; left.length > 0; attempt++) {
      const byChannel = new Map<string, Pending[]>();
      for (const p of left) byChannel.set(p.channel, [...(byChannel.get(p.channel) ?? []), p]);
      const specs = [...byChannel].map(([channel, ps]) => ({
        channels: [channel],
        messages: ps.map((p) => p.message),
      }));
      let failed: { items: Pending[]; error: unknown }[];
      stats.requests += 1;
      try {
        const results = await rest.batchPublish(specs);
        failed = [];
        results.forEach((result, i) => {
          const items = byChannel.get(specs[i]!.channels[0]!)!;
          const refused = result.results.find(
            (r): r is Ably.BatchPublishFailureResult => 'error' in r,
          );
          if (result.failureCount > 0) failed.push({ items, error: refused?.error });
          else stats.published += items.length;
        });
      } catch (err) {
        failed = [{ items: left, error: err }];
      }
      left = [];
      for (const f of failed) {
        if (!retryable(f.error)) {
          for (const p of f.items)
            drop({ event: p.event, channel: p.channel, reason: 'rejected', error: f.error });
        } else if (attempt >= attempts) {
          for (const p of f.items)
            drop({
              event: p.event,
              channel: p.channel,
              reason: 'retries-exhausted',
              error: f.error,
            });
        } else left.push(...f.items);
      }
      if (left.length > 0) {
        const delayMs =
          Math.min(maxRetryDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        stats.retries += 1;
        options.onRetry?.({
          attempt,
          delayMs,
          error: failed.find((f) => retryable(f.error))?.error,
        });
        await sleep(delayMs);
      }
    }
  };

  const flushNow = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxMessages);
      queue = queue.slice(maxMessages);
      // Chained: one batch in flight, so order per channel survives retries.
      sending = sending.then(() => send(batch));
    }
    return sending;
  };

  const listeners = Object.entries(options.routes).map(([event, route]) => {
    const listener = (payload: unknown): void => {
      let channel: string;
      try {
        channel = resolveChannel(route, payload);
      } catch (err) {
        drop({ event, reason: 'unroutable', error: err });
        return;
      }
      if (queue.length >= maxQueued) {
        drop({ event, channel, reason: 'queue-full' });
        return;
      }
      queue.push({
        event,
        channel,
        message: {
          id: `${idBase}:${serial++}`,
          name: route.name ?? event,
          data: route.data ? route.data(payload) : payload,
        },
      });
      if (queue.length >= maxMessages) void flushNow();
      else timer ??= setTimeout(() => void flushNow(), maxDelayMs);
    };
    options.bus.on(event, listener);
    return [event, listener] as const;
  });

  return {
    stats,
    flush: flushNow,
    async stop() {
      for (const [event, listener] of listeners) {
        if (options.bus.off) options.bus.off(event, listener);
        else options.bus.removeListener?.(event, listener);
      }
      await flushNow();
    },
  };
}
