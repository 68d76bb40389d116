import type { StorePage } from './audit-store.js';

/** `event`: an app event; `nudge`: a reminder one person sends another, rate limited per pair. */
export type NotificationKind = 'event' | 'nudge';

/**
 * What became of one notify request: published on the channel (`realtime`), pushed to the
 * recipient's devices (`push`), neither because the recipient has no device (`none`), refused by
 * the nudge limit (`suppressed`), or tried and not done (`failed`).
 */
export type NotificationOutcome = 'realtime' | 'push' | 'none' | 'suppressed' | 'failed';

/** One row of the notification log: a notify or nudge decision and why it was taken. */
export interface NotificationRecord {
  appId: string;
  /** Assigned by the store on append, increasing: the log's order and its paging cursor. */
  id: number;
  timestamp: number;
  kind: NotificationKind;
  channel: string;
  /** The channel whose presence decided the route (the event channel unless one was named). */
  presenceChannel: string;
  event: string;
  /** The caller's clientId; absent when an unidentified backend key sent an event. */
  senderClientId?: string;
  recipientClientId: string;
  outcome: NotificationOutcome;
  reason: string;
  /** Devices a push was handed to (0 unless the outcome is `push` or a failed push). */
  devices: number;
}

/** A log row before the store numbers it. */
export type NewNotification = Omit<NotificationRecord, 'id'>;

/** A page of the log, newest first, with optional filters. */
export interface NotificationQuery {
  appId: string;
  recipientClientId?: string;
  senderClientId?: string;
  /** Only rows at or after this time (ms). */
  since?: number;
  limit: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

/** Whose nudges one limiter slot counts: one sender to one recipient, within an app. */
export interface NudgeKey {
  appId: string;
  senderClientId: string;
  recipientClientId: string;
}

/** A nudge slot's answer: taken now, or busy until `nextAllowedAt`. */
export type NudgeClaim = { allowed: true } | { allowed: false; nextAllowedAt: number };

/**
 * The notification log and the nudge limiter's slots. The slots are stored (not kept in memory)
 * so that a restart, or a second node, does not hand out a second nudge inside the window.
 */
export interface NotificationStore {
  /** Appends a row and answers it with its id. */
  appendNotification(row: NewNotification): Promise<NotificationRecord>;
  /** Rows matching the query, newest first. */
  listNotifications(query: NotificationQuery): Promise<StorePage<NotificationRecord>>;
  /**
   * Takes the pair's slot when its last nudge was at least `intervalMs` before `now` (or there
   * was none), recording `now`; otherwise answers when the next one is allowed. Atomic, so two
   * concurrent nudges of one pair cannot both pass.
   */
  claimNudge(key: NudgeKey, now: number, intervalMs: number): Promise<NudgeClaim>;
  /** Deletes at most `limit` log rows older than `before`; returns how many. */
  pruneNotifications(before: number, limit: number): Promise<number>;
  /** Deletes at most `limit` nudge slots last used before `before`; returns how many. */
  pruneNudges(before: number, limit: number): Promise<number>;
}

/** A log cursor read back: the id rows must be below; undefined when it is not one of ours. */
export function parseNotificationCursor(cursor: string): number | undefined {
  return /^\d{1,15}$/.test(cursor) ? Number(cursor) : undefined;
}
