import type Database from 'better-sqlite3';
import type { PushOutboxRecord, Store } from '@switchboard/server';
import { createOutboxTable } from './outbox-table.js';

/** The push outbox: one row per queued push, the delivery as JSON text. */
export function createPushOutboxTable(
  db: Database.Database,
): Pick<
  Store,
  | 'enqueuePushOutbox'
  | 'listDuePushOutbox'
  | 'updatePushOutbox'
  | 'getPushOutbox'
  | 'prunePushOutbox'
> {
  const outbox = createOutboxTable<'delivery', PushOutboxRecord>(db, 'push_outbox', 'delivery');
  return {
    enqueuePushOutbox: outbox.enqueue,
    listDuePushOutbox: outbox.listDue,
    updatePushOutbox: outbox.update,
    getPushOutbox: outbox.get,
    prunePushOutbox: outbox.prune,
  };
}
