import type { AppRegistry } from '../apps/app-registry.js';
import type { Limits } from '../limits.js';
import type { Logger } from '../logger.js';
import type { WebhookOutboxRecord, WebhookRule, WebhookSource } from '../ports/webhook-outbox.js';
import { envelopeBody, type WebhookEvent } from './webhook-envelope.js';
import type { WebhookOutbox } from './webhook-outbox-worker.js';

/** What the dispatcher needs. */
export interface WebhookDispatcherDeps {
  apps: AppRegistry;
  outbox: WebhookOutbox;
  limits: Limits;
  logger: Logger;
  /** The `site` named in every item's data. */
  site: string;
}

/**
 * Matches channel events against each app's webhook rules and collects them per rule into
 * batches (up to `webhookBatchMs` or `webhookBatchMaxItems`), each handed to the outbox as one
 * request body. `emit` is on the publish path: it only tests compiled filters and pushes the
 * event into an array; encoding and storing happen when the batch is flushed, off that path.
 */
export interface WebhookDispatcher {
  emit(appId: string, event: WebhookEvent): void;
  /** Whether the app has any webhook rule. */
  active(appId: string): boolean;
  /** Whether any rule of the app follows the source (to skip building events nobody wants). */
  wants(appId: string, source: WebhookSource): boolean;
  /** Clears a resumed rule's dropped count and failure count. */
  resumed(appId: string, ruleId: string): void;
  /** The rule's latest batches in the outbox, newest first, whatever their status. */
  deliveries(appId: string, ruleId: string, limit: number): Promise<WebhookOutboxRecord[]>;
  /** Starts the outbox (resuming batches a previous process left pending). */
  start(): void;
  /** Flushes collected events into the outbox and waits for attempts under way. */
  close(): Promise<void>;
}

interface Pending {
  events: WebhookEvent[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Creates the dispatcher. */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const { apps, outbox, limits, logger, site } = deps;
  // Compiled once per rule object: a saved app gets new rule objects, so edits recompile.
  const filters = new WeakMap<WebhookRule, RegExp | null>();
  const pending = new Map<string, Pending>();
  const dropped = new Map<string, number>();
  let closed = false;

  const matches = (rule: WebhookRule, channel: string): boolean => {
    let filter = filters.get(rule);
    if (filter === undefined) {
      filter = rule.channelFilter ? new RegExp(rule.channelFilter) : null;
      filters.set(rule, filter);
    }
    return filter === null || filter.test(channel);
  };

  const flush = (appId: string, ruleId: string): void => {
    const key = `${appId}\n${ruleId}`;
    const batch = pending.get(key);
    if (!batch) return;
    pending.delete(key);
    if (batch.timer) clearTimeout(batch.timer);
    outbox.submit(appId, ruleId, envelopeBody(ruleId, site, batch.events));
  };

  const drop = (appId: string, rule: WebhookRule): void => {
    const key = `${appId}\n${rule.id}`;
    const count = (dropped.get(key) ?? 0) + 1;
    dropped.set(key, count);
    // Counted, and logged on the first and every hundredth, so a busy paused rule cannot flood logs.
    if (count === 1 || count % 100 === 0)
      logger.warn('webhook event dropped: rule paused', { appId, ruleId: rule.id, dropped: count });
  };

  return {
    active: (appId) => (apps.get(appId)?.record.webhooks?.length ?? 0) > 0,
    wants: (appId, source) =>
      apps.get(appId)?.record.webhooks?.some((r) => r.sources.includes(source)) ?? false,
    emit(appId, event) {
      const rules = apps.get(appId)?.record.webhooks;
      if (!rules || closed) return;
      for (const rule of rules) {
        if (!rule.sources.includes(event.source) || !matches(rule, event.channel)) continue;
        if (rule.paused) {
          drop(appId, rule);
          continue;
        }
        const key = `${appId}\n${rule.id}`;
        let batch = pending.get(key);
        if (!batch) {
          batch = { events: [], timer: undefined };
          pending.set(key, batch);
          const ruleId = rule.id;
          batch.timer = setTimeout(() => flush(appId, ruleId), limits.webhookBatchMs);
        }
        if (event.source === 'channel.occupancy') {
          // Only the latest occupancy of a channel matters: replace the one already collected.
          const at = batch.events.findIndex(
            (e) => e.source === 'channel.occupancy' && e.channel === event.channel,
          );
          if (at >= 0) {
            batch.events[at] = event;
            continue;
          }
        }
        batch.events.push(event);
        if (batch.events.length >= limits.webhookBatchMaxItems) flush(appId, rule.id);
      }
    },
    resumed(appId, ruleId) {
      dropped.delete(`${appId}\n${ruleId}`);
      outbox.resumed(appId, ruleId);
    },
    deliveries: (appId, ruleId, limit) => outbox.deliveries(appId, ruleId, limit),
    start: () => outbox.start(),
    async close() {
      closed = true;
      for (const key of [...pending.keys()]) {
        const [appId = '', ruleId = ''] = key.split('\n');
        flush(appId, ruleId);
      }
      await outbox.close();
    },
  };
}
