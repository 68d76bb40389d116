import type { AppRecord, Store } from '@switchboard/server';
import { describe, expect, it } from 'vitest';

/** How a store under test is made: `reopen` returns a store over the same data, as after a restart. */
export interface StoreFactory {
  open(): Promise<Store> | Store;
  /** For durable stores: a second store over the same data. Omit for in-memory stores. */
  reopen?(): Promise<Store> | Store;
}

function app(id: string, createdAt: number): AppRecord {
  return {
    id,
    createdAt,
    keys: [{ keyName: `${id}.k1`, secret: 'secret', capability: '{"*":["*"]}' }],
    namespaces: [{ id: 'persisted', persisted: true }],
    channels: [{ name: 'lobby', presence: [{ clientId: 'fixture', data: 'x' }] }],
  };
}

/** The Store port's conformance suite: every Store adapter runs it. */
export function runStoreSuite(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    it('saves, lists in creation order, updates and deletes apps', async () => {
      const store = await factory.open();
      await store.saveApp(app('b', 2));
      await store.saveApp(app('a', 1));
      expect((await store.listApps()).map((a) => a.id)).toEqual(['a', 'b']);
      await store.saveApp({ ...app('a', 1), keys: [] });
      expect((await store.listApps()).find((a) => a.id === 'a')?.keys).toEqual([]);
      await store.deleteApp('a');
      expect((await store.listApps()).map((a) => a.id)).toEqual(['b']);
      await store.close();
    });

    it('returns copies: changing a listed app does not change the store', async () => {
      const store = await factory.open();
      await store.saveApp(app('c', 3));
      const [listed] = await store.listApps();
      listed!.keys.length = 0;
      expect((await store.listApps())[0]!.keys).toHaveLength(1);
      await store.close();
    });

    it.skipIf(!factory.reopen)(
      'keeps apps, keys, namespaces and fixtures across a restart (durable stores only)',
      async () => {
        const store = await factory.open();
        await store.saveApp(app('d', 4));
        await store.close();
        const again = await factory.reopen!();
        expect(await again.listApps()).toEqual([app('d', 4)]);
        await again.close();
      },
    );
  });
}
