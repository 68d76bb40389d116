import { pruneMap } from './memory-paging.js';

/** The event sources a webhook rule can follow, as Ably names them. */
export const WEBHOOK_SOURCES = [
  'channel.message',
  'channel.presence',
  'channel.lifecycle',
  'channel.occupancy',
] as const;

/** One of WEBHOOK_SOURCES. */
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

/** A webhook rule of an app: where matching channel events are posted, signed with a key. */
export interface WebhookRule {
  id: string;
  url: string;
  sources: WebhookSource[];
  /** A regular expression a channel name must match; absent matches every channel. */
  channelFilter?: string;
  /** The key whose name goes in `X-Ably-Key` and whose secret signs the body. */
  keyName: string;
  /** Set when the endpoint kept failing; events for the rule are dropped until it is resumed. */
  paused?: { at: number; reason: string };
}

/** Where a queued batch stands: waiting (to be sent or retried), or finished either way. */
export type WebhookOutboxStatus = 'pending' | 'sent' | 'failed';

/** What one outbox row sends: the rule it belongs to and the exact JSON body to post. */
export interface WebhookBatch {
  ruleId: string;
  /** The enveloped JSON body, fixed when the batch is written so a retry signs the same bytes. */
  body: string;
}

/**
 * One webhook batch in the outbox: written before it is first sent, updated after each attempt,
 * so a restart resumes what was pending and a dropped batch leaves its row (`failed`).
 */
export interface WebhookOutboxRecord {
  id: string;
  appId: string;
  batch: WebhookBatch;
  status: WebhookOutboxStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When a pending row is next due (ms); a row being sent holds a lease into the future. */
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  lastError?: string;
}

/** The durable webhook outbox. */
export interface WebhookOutboxStore {
  /** Adds new rows. */
  enqueueWebhookOutbox(rows: readonly WebhookOutboxRecord[]): Promise<void>;
  /** Pending rows with `nextAttemptAt` at or before `now`, earliest first, at most `limit`. */
  listDueWebhookOutbox(now: number, limit: number): Promise<WebhookOutboxRecord[]>;
  /** Replaces a row's status, attempts, nextAttemptAt, updatedAt and lastError, by id. */
  updateWebhookOutbox(row: WebhookOutboxRecord): Promise<void>;
  getWebhookOutbox(id: string): Promise<WebhookOutboxRecord | undefined>;
  /** Deletes at most `limit` finished rows last updated before the given time; returns how many. */
  pruneWebhookOutbox(finishedBefore: number, limit: number): Promise<number>;
  /**
   * A rule's latest rows, whatever their status, newest first (by `createdAt`, then id): the
   * deliveries an operator looks at (dashboard, `GET /apps/{id}/webhooks/{rule}/deliveries`).
   */
  listWebhookDeliveries(
    appId: string,
    ruleId: string,
    limit: number,
  ): Promise<WebhookOutboxRecord[]>;
}

/**
 * The start of a stored batch's JSON text for a rule: adapters write `{"ruleId":…,"body":…}` in
 * that order (see canonicalWebhookRows), so a rule's rows are found by this prefix without parsing bodies (PostgreSQL's
 * JSON functions refuse a body holding `\u0000`).
 */
export function webhookBatchPrefix(ruleId: string): string {
  return `${JSON.stringify({ ruleId }).slice(0, -1)},`;
}

/** The rows with each batch rebuilt rule first, whatever order the caller's object had. */
export function canonicalWebhookRows(rows: readonly WebhookOutboxRecord[]): WebhookOutboxRecord[] {
  return rows.map((r) => ({ ...r, batch: { ruleId: r.batch.ruleId, body: r.batch.body } }));
}

/** The reference WebhookOutboxStore, in memory. */
export function createMemoryWebhookOutbox(): WebhookOutboxStore {
  const rows = new Map<string, WebhookOutboxRecord>();
  return {
    enqueueWebhookOutbox: async (added) => {
      for (const r of added) rows.set(r.id, structuredClone(r));
    },
    listDueWebhookOutbox: async (now, limit) =>
      [...rows.values()]
        .filter((r) => r.status === 'pending' && r.nextAttemptAt <= now)
        .sort((x, y) => x.nextAttemptAt - y.nextAttemptAt || (x.id < y.id ? -1 : 1))
        .slice(0, limit)
        .map((r) => structuredClone(r)),
    updateWebhookOutbox: async (row) => {
      const r = rows.get(row.id);
      if (!r) return;
      const { status, attempts, nextAttemptAt, updatedAt, lastError } = row;
      const next: WebhookOutboxRecord = { ...r, status, attempts, nextAttemptAt, updatedAt };
      if (lastError === undefined) delete next.lastError;
      else next.lastError = lastError;
      rows.set(row.id, next);
    },
    getWebhookOutbox: async (id) => {
      const r = rows.get(id);
      return r && structuredClone(r);
    },
    pruneWebhookOutbox: async (before, limit) =>
      pruneMap(rows, (r) => r.status !== 'pending' && r.updatedAt < before, limit),
    listWebhookDeliveries: async (appId, ruleId, limit) =>
      [...rows.values()]
        .filter((r) => r.appId === appId && r.batch.ruleId === ruleId)
        .sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0))
        .slice(0, limit)
        .map((r) => structuredClone(r)),
  };
}
