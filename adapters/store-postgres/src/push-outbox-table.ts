import type pg from 'pg';
import type { PushOutboxRecord, Store } from '@switchboard/server';
import { createOutboxTable, outboxMigration } from './outbox-table.js';

/** The push outbox's table (see outboxMigration). */
export const PUSH_OUTBOX_MIGRATION = outboxMigration('push_outbox', 'delivery');

/** The push outbox over PostgreSQL. */
export function createPushOutboxTable(
  pool: pg.Pool,
): Pick<
  Store,
  | 'enqueuePushOutbox'
  | 'listDuePushOutbox'
  | 'updatePushOutbox'
  | 'getPushOutbox'
  | 'prunePushOutbox'
> {
  const outbox = createOutboxTable<'delivery', PushOutboxRecord>(pool, 'push_outbox', 'delivery');
  return {
    enqueuePushOutbox: outbox.enqueue,
    listDuePushOutbox: outbox.listDue,
    updatePushOutbox: outbox.update,
    getPushOutbox: outbox.get,
    prunePushOutbox: outbox.prune,
  };
}
