import type { Store } from '@switchboard/server';

/** How a store under test is made: `reopen` returns a store over the same data, as after a restart. */
export interface StoreFactory {
  open(): Promise<Store> | Store;
  /** For durable stores: a second store over the same data. Omit for in-memory stores. */
  reopen?(): Promise<Store> | Store;
}
