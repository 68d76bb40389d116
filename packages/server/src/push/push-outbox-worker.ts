import type { Logger } from '../logger.js';
import type { Limits } from '../limits.js';
import { randomId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import type { PushOutboxRecord, PushOutboxStore } from '../ports/push-outbox.js';
import type { PushDelivery, PushOutcome, PushSender } from '../ports/push-sender.js';

/** What the outbox needs. */
export interface PushOutboxDeps {
  store: PushOutboxStore;
  sender: PushSender;
  limits: Limits;
  clock: Clock;
  logger: Logger;
  /** Told of every attempt's outcome (the engine marks or prunes devices from it). */
  onOutcome(delivery: PushDelivery, outcome: PushOutcome): Promise<void>;
}

/**
 * Pushes to real transports go through here: written to the store's outbox before the first
 * attempt, retried with exponential backoff while the transport fails passingly (a timeout, a
 * 5xx), and finished as `sent` or `failed` (logged). Pending rows left by a previous process
 * are resumed by the first scan, so a restart during retries loses nothing (a push being sent
 * as the process died may be sent twice: delivery is at least once).
 */
export interface PushOutbox {
  /** Queues the deliveries and makes the first attempt; one outcome per delivery, in order. */
  submit(deliveries: readonly PushDelivery[]): Promise<PushOutcome[]>;
  /** Starts the scan timer and runs a first scan (resuming what a previous process left). */
  start(): void;
  /** Sends the rows that are due now. */
  scan(): Promise<void>;
  /** Stops the timer and waits for attempts under way. */
  close(): Promise<void>;
}

const noOutcome: PushOutcome = {
  status: 'failed',
  reason: 'no outcome from the push sender',
  retryable: true,
};

/** Creates the push outbox over a store and a sender. */
export function createPushOutbox(deps: PushOutboxDeps): PushOutbox {
  const { store, sender, limits, clock, logger } = deps;
  const inFlight = new Set<Promise<unknown>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let scanning: Promise<void> | undefined;
  let lastPrune = 0;
  let closed = false;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };
  const backoff = (attempts: number): number =>
    Math.min(limits.pushRetryMaxMs, limits.pushRetryBaseMs * 2 ** (attempts - 1));

  /** The row after an attempt: sent, due again later, or failed for good. */
  function settle(r: PushOutboxRecord, o: PushOutcome, now: number): PushOutboxRecord {
    const attempts = r.attempts + 1;
    const { lastError: _previous, ...base } = r;
    if (o.status === 'sent') return { ...base, status: 'sent', attempts, updatedAt: now };
    const failed = { ...base, attempts, updatedAt: now, lastError: o.reason };
    if (o.retryable && attempts < limits.pushMaxAttempts)
      return { ...failed, nextAttemptAt: now + backoff(attempts) };
    // The one place a push is given up: its row stays (failed, lastError) and it is logged.
    logger.warn('push not delivered', {
      outboxId: r.id,
      appId: r.appId,
      deviceId: r.delivery.deviceId,
      attempts,
      reason: o.reason,
    });
    return { ...failed, status: 'failed' };
  }

  async function attempt(rows: readonly PushOutboxRecord[]): Promise<PushOutcome[]> {
    let outcomes: PushOutcome[];
    try {
      outcomes = await sender.send(rows.map((r) => r.delivery));
    } catch (err) {
      // A sender should not throw; if one does, it counts as a passing fault.
      outcomes = rows.map(() => ({ status: 'failed', reason: String(err), retryable: true }));
    }
    const now = clock.now();
    const settled = rows.map((r, i) => outcomes[i] ?? noOutcome);
    for (const [i, r] of rows.entries()) {
      const o = settled[i]!;
      try {
        await store.updatePushOutbox(settle(r, o, now));
        await deps.onOutcome(r.delivery, o);
      } catch (err) {
        logger.warn('push outbox update failed', { outboxId: r.id, error: String(err) });
      }
    }
    return settled;
  }

  async function scanOnce(): Promise<void> {
    const now = clock.now();
    const due = await store.listDuePushOutbox(now, limits.pushOutboxBatch);
    // Claimed by pushing the due time past the send, so the next scan does not take them too.
    const claimed = due.map((r) => ({ ...r, nextAttemptAt: now + limits.pushSendLeaseMs }));
    for (const r of claimed) await store.updatePushOutbox(r);
    if (claimed.length > 0) await attempt(claimed);
    if (now - lastPrune >= 60_000) {
      lastPrune = now;
      await store.prunePushOutbox(now - limits.pushOutboxRetentionMs, limits.pushOutboxBatch);
    }
  }

  const outbox: PushOutbox = {
    async submit(deliveries) {
      if (deliveries.length === 0) return [];
      const now = clock.now();
      const rows: PushOutboxRecord[] = deliveries.map((delivery) => ({
        id: randomId(12),
        appId: delivery.appId,
        delivery,
        status: 'pending',
        attempts: 0,
        // Held by this attempt; a scan takes it only if this process dies before settling it.
        nextAttemptAt: now + limits.pushSendLeaseMs,
        createdAt: now,
        updatedAt: now,
      }));
      try {
        await store.enqueuePushOutbox(rows);
      } catch (err) {
        // Sent anyway: a store fault must not cost the push, only its retries.
        logger.warn('push outbox write failed; sending without retries', { error: String(err) });
      }
      return track(attempt(rows));
    },
    start() {
      if (closed || timer) return;
      timer = setInterval(() => void outbox.scan(), limits.pushOutboxPollMs);
      timer.unref();
      void outbox.scan();
    },
    scan() {
      if (closed) return Promise.resolve();
      scanning ??= track(
        scanOnce()
          .catch((err: unknown) => logger.warn('push outbox scan failed', { error: String(err) }))
          .finally(() => (scanning = undefined)),
      );
      return scanning;
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
  return outbox;
}
