import type { PushDelivery } from './push-sender.js';
import { pruneMap } from './memory-paging.js';

/** Where a queued push stands: waiting (to be sent or retried), or finished either way. */
export type PushOutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * One push in the outbox: written before it is first sent, updated after each attempt, so a
 * restart resumes what was pending and a dropped push always leaves its row (`failed`, with
 * `lastError`).
 */
export interface PushOutboxRecord {
  id: string;
  appId: string;
  delivery: PushDelivery;
  status: PushOutboxStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When a pending row is next due (ms); a row being sent holds a lease into the future. */
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  lastError?: string;
}

/** The durable push outbox. */
export interface PushOutboxStore {
  /** Adds new rows. */
  enqueuePushOutbox(rows: readonly PushOutboxRecord[]): Promise<void>;
  /** Pending rows with `nextAttemptAt` at or before `now`, earliest first, at most `limit`. */
  listDuePushOutbox(now: number, limit: number): Promise<PushOutboxRecord[]>;
  /** Replaces a row's status, attempts, nextAttemptAt, updatedAt and lastError, by id. */
  updatePushOutbox(row: PushOutboxRecord): Promise<void>;
  getPushOutbox(id: string): Promise<PushOutboxRecord | undefined>;
  /** Deletes at most `limit` finished rows last updated before the given time; returns how many. */
  prunePushOutbox(finishedBefore: number, limit: number): Promise<number>;
}

/** The reference PushOutboxStore, in memory. */
export function createMemoryPushOutbox(): PushOutboxStore {
  const rows = new Map<string, PushOutboxRecord>();
  return {
    enqueuePushOutbox: async (added) => {
      for (const r of added) rows.set(r.id, structuredClone(r));
    },
    listDuePushOutbox: async (now, limit) =>
      [...rows.values()]
        .filter((r) => r.status === 'pending' && r.nextAttemptAt <= now)
        .sort((x, y) => x.nextAttemptAt - y.nextAttemptAt || (x.id < y.id ? -1 : 1))
        .slice(0, limit)
        .map((r) => structuredClone(r)),
    updatePushOutbox: async (row) => {
      const r = rows.get(row.id);
      if (!r) return;
      const { status, attempts, nextAttemptAt, updatedAt, lastError } = row;
      const next: PushOutboxRecord = { ...r, status, attempts, nextAttemptAt, updatedAt };
      if (lastError === undefined) delete next.lastError;
      else next.lastError = lastError;
      rows.set(row.id, next);
    },
    getPushOutbox: async (id) => {
      const r = rows.get(id);
      return r && structuredClone(r);
    },
    prunePushOutbox: async (before, limit) =>
      pruneMap(rows, (r) => r.status !== 'pending' && r.updatedAt < before, limit),
  };
}
