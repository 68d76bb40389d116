import type { AppRegistry } from '../apps/app-registry.js';
import type { Logger } from '../logger.js';
import type { Limits } from '../limits.js';
import { randomId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import type { WebhookOutboxRecord, WebhookOutboxStore } from '../ports/webhook-outbox.js';
import { postWebhook, type WebhookPostOutcome } from './webhook-post.js';

/** What the webhook outbox needs. */
export interface WebhookOutboxDeps {
  store: WebhookOutboxStore;
  apps: AppRegistry;
  limits: Limits;
  clock: Clock;
  logger: Logger;
}

/**
 * Webhook batches go through here: written to the store's outbox before the first attempt,
 * retried with exponential backoff, finished as `sent` or `failed` (logged). A rule whose
 * attempts fail `webhookPauseAfterFailures` times in a row is paused on its app record. Pending
 * rows left by a previous process are resumed by the first scan (delivery is at least once: a
 * batch being sent as the process died is sent again).
 */
export interface WebhookOutbox {
  /** Writes one batch and makes its first attempt in the background. */
  submit(appId: string, ruleId: string, body: string): void;
  /** Forgets a rule's failure count (it was resumed). */
  resumed(appId: string, ruleId: string): void;
  /** The rule's latest batches as stored, newest first (what an operator looks at). */
  deliveries(appId: string, ruleId: string, limit: number): Promise<WebhookOutboxRecord[]>;
  /** Starts the scan timer and runs a first scan (resuming what a previous process left). */
  start(): void;
  /** Sends the rows that are due now. */
  scan(): Promise<void>;
  /** Stops the timer and waits for attempts under way. */
  close(): Promise<void>;
}

/** Creates the webhook outbox over a store and the app registry that holds the rules. */
export function createWebhookOutbox(deps: WebhookOutboxDeps): WebhookOutbox {
  const { store, apps, limits, clock, logger } = deps;
  const inFlight = new Set<Promise<unknown>>();
  /** Failed attempts in a row per rule (`appId\nruleId`); a success resets it. */
  const failures = new Map<string, number>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let scanning: Promise<void> | undefined;
  let lastPrune = 0;
  let closed = false;
  /** Requests under way: capped, so a slow endpoint cannot pile up sockets and memory. */
  let sending = 0;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };
  const backoff = (attempts: number): number =>
    Math.min(limits.webhookRetryMaxMs, limits.webhookRetryBaseMs * 2 ** (attempts - 1));

  /** Pauses a rule on its app record, so the pause survives restarts and shows in the admin API. */
  async function pause(appId: string, ruleId: string, reason: string): Promise<void> {
    const app = apps.get(appId);
    const rules = app?.record.webhooks;
    if (!app || !rules?.some((r) => r.id === ruleId && !r.paused)) return;
    const paused = { at: clock.now(), reason };
    await apps.save({
      ...app.record,
      webhooks: rules.map((r) => (r.id === ruleId ? { ...r, paused } : r)),
    });
    logger.warn('webhook rule paused', { appId, ruleId, reason });
  }

  /** Sends one row's batch, or says why it cannot be sent at all (`final`). */
  async function send(r: WebhookOutboxRecord): Promise<WebhookPostOutcome & { final?: boolean }> {
    const app = apps.get(r.appId);
    const rule = app?.record.webhooks?.find((w) => w.id === r.batch.ruleId);
    if (!app || !rule) return { ok: false, reason: 'webhook rule removed', final: true };
    if (rule.paused) return { ok: false, reason: 'webhook rule paused', final: true };
    const key = app.keys.get(rule.keyName);
    if (!key) return { ok: false, reason: `signing key removed: ${rule.keyName}`, final: true };
    return postWebhook({
      url: rule.url,
      body: r.batch.body,
      keyName: key.keyName,
      secret: key.secret,
      timeoutMs: limits.webhookTimeoutMs,
    });
  }

  /** One attempt; its slot in `sending` was taken by the caller and is given back here. */
  async function attempt(r: WebhookOutboxRecord): Promise<void> {
    let outcome: WebhookPostOutcome & { final?: boolean };
    try {
      outcome = await send(r);
    } finally {
      sending--;
    }
    const now = clock.now();
    const attempts = r.attempts + 1;
    const { lastError: _previous, ...base } = r;
    const ruleKey = `${r.appId}\n${r.batch.ruleId}`;
    let next: WebhookOutboxRecord;
    if (outcome.ok) {
      failures.delete(ruleKey);
      next = { ...base, status: 'sent', attempts, updatedAt: now };
    } else {
      const failed = { ...base, attempts, updatedAt: now, lastError: outcome.reason };
      let final = outcome.final === true || attempts >= limits.webhookMaxAttempts;
      if (!outcome.final) {
        const count = (failures.get(ruleKey) ?? 0) + 1;
        failures.set(ruleKey, count);
        if (count >= limits.webhookPauseAfterFailures) {
          failures.delete(ruleKey);
          final = true;
          await pause(r.appId, r.batch.ruleId, outcome.reason).catch((err: unknown) =>
            logger.warn('webhook pause not saved', { error: String(err) }),
          );
        }
      }
      if (final) {
        // The one place a batch is given up: its row stays (failed, lastError) and it is logged.
        logger.warn('webhook batch not delivered', {
          outboxId: r.id,
          appId: r.appId,
          ruleId: r.batch.ruleId,
          attempts,
          reason: outcome.reason,
        });
        next = { ...failed, status: 'failed' };
      } else next = { ...failed, nextAttemptAt: now + backoff(attempts) };
    }
    await store.updateWebhookOutbox(next);
  }

  const attemptLogged = (r: WebhookOutboxRecord): Promise<void> =>
    track(
      attempt(r).catch((err: unknown) =>
        logger.warn('webhook outbox update failed', { outboxId: r.id, error: String(err) }),
      ),
    );

  async function scanOnce(): Promise<void> {
    const now = clock.now();
    const room = Math.min(limits.webhookOutboxBatch, limits.webhookMaxInFlight - sending);
    const due = room > 0 ? await store.listDueWebhookOutbox(now, room) : [];
    // Claimed by pushing the due time past the send, so the next scan does not take them too.
    const claimed = due.map((r) => ({ ...r, nextAttemptAt: now + limits.webhookSendLeaseMs }));
    for (const r of claimed) await store.updateWebhookOutbox(r);
    sending += claimed.length;
    for (const r of claimed) void attemptLogged(r);
    if (now - lastPrune >= 60_000) {
      lastPrune = now;
      await store.pruneWebhookOutbox(
        now - limits.webhookOutboxRetentionMs,
        limits.webhookOutboxBatch,
      );
    }
  }

  const outbox: WebhookOutbox = {
    submit(appId, ruleId, body) {
      if (closed) return;
      const now = clock.now();
      // Past the cap the batch is only stored, due at once: a scan sends it when there is room.
      const sendNow = sending < limits.webhookMaxInFlight;
      if (sendNow) sending++;
      const row: WebhookOutboxRecord = {
        id: randomId(12),
        appId,
        batch: { ruleId, body },
        status: 'pending',
        attempts: 0,
        // Held by this attempt; a scan takes it only if this process dies before settling it.
        nextAttemptAt: sendNow ? now + limits.webhookSendLeaseMs : now,
        createdAt: now,
        updatedAt: now,
      };
      // Written before it is sent, so a restart during retries resumes it.
      track(
        store.enqueueWebhookOutbox([row]).then(
          () => (sendNow ? attemptLogged(row) : undefined),
          (err: unknown) => {
            if (sendNow) sending--;
            logger.warn('webhook outbox write failed; batch dropped', {
              appId,
              ruleId,
              error: String(err),
            });
          },
        ),
      );
    },
    resumed: (appId, ruleId) => void failures.delete(`${appId}\n${ruleId}`),
    deliveries: (appId, ruleId, limit) => store.listWebhookDeliveries(appId, ruleId, limit),
    start() {
      if (closed || timer) return;
      timer = setInterval(() => void outbox.scan(), limits.webhookOutboxPollMs);
      timer.unref();
      void outbox.scan();
    },
    scan() {
      if (closed) return Promise.resolve();
      scanning ??= track(
        scanOnce()
          .catch((err: unknown) =>
            logger.warn('webhook outbox scan failed', { error: String(err) }),
          )
          .finally(() => (scanning = undefined)),
      );
      return scanning;
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
  return outbox;
}
