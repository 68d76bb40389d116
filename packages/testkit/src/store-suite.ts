import type { AppRecord, RevocationRecord, UsedNonceRecord } from '@switchboard/server';
import { describe, expect, it } from 'vitest';
import { runHistoryCases } from './history-suite.js';
import type { StoreFactory } from './store-factory.js';
import { auditStoreCases } from './audit-store-suite.js';
import { pushStoreCases } from './push-store-suite.js';
import { notificationStoreCases } from './notification-store-suite.js';
import { pushOutboxCases } from './push-outbox-suite.js';
import { webhookOutboxCases } from './webhook-outbox-suite.js';
import { heartbeatConfigCases } from './heartbeat-config-suite.js';
import { annotationStoreCases } from './annotation-store-suite.js';

export type { StoreFactory } from './store-factory.js';

function app(id: string, createdAt: number): AppRecord {
  return {
    id,
    createdAt,
    keys: [{ keyName: `${id}.k1`, secret: 'secret', capability: '{"*":["*"]}' }],
    namespaces: [{ id: 'persisted', persisted: true }],
    channels: [{ name: 'lobby', presence: [{ clientId: 'fixture', data: 'x' }] }],
  };
}

function revocation(clientId: string, issuedBefore: number, appliesAt = issuedBefore) {
  return { keyName: 'a.k1', clientId, issuedBefore, appliesAt } satisfies RevocationRecord;
}

function nonce(value: string, usedAt: number, keyName = 'a.k1') {
  return { keyName, nonce: value, usedAt } satisfies UsedNonceRecord;
}

// The port promises no order for these lists, so the suite compares them sorted.
const byClient = (x: RevocationRecord, y: RevocationRecord) =>
  `${x.keyName}\n${x.clientId}`.localeCompare(`${y.keyName}\n${y.clientId}`);
const byNonce = (x: UsedNonceRecord, y: UsedNonceRecord) =>
  `${x.keyName}\n${x.nonce}`.localeCompare(`${y.keyName}\n${y.nonce}`);

/** The Store port's conformance suite: every Store adapter runs it. */
export function runStoreSuite(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    runHistoryCases(factory);
    pushStoreCases(factory);
    notificationStoreCases(factory);
    pushOutboxCases(factory);
    webhookOutboxCases(factory);
    heartbeatConfigCases(factory);
    annotationStoreCases(factory);
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

    it('RSA17: saves token revocations, one per key and clientId, lists them from a time, prunes in batches', async () => {
      const store = await factory.open();
      await store.saveRevocation(revocation('u1', 1000));
      await store.saveRevocation(revocation('u2', 2000, 32_000));
      await store.saveRevocation({ ...revocation('u1', 3000), keyName: 'a.k2' });
      // A later revocation of the same key and clientId replaces the earlier one.
      await store.saveRevocation(revocation('u1', 4000, 1000));
      expect((await store.listRevocations()).sort(byClient)).toEqual(
        [
          revocation('u1', 4000, 1000),
          { ...revocation('u1', 3000), keyName: 'a.k2' },
          revocation('u2', 2000, 32_000),
        ].sort(byClient),
      );
      // Only revocations of tokens issued after `issuedAfter` can still matter.
      expect((await store.listRevocations(2500)).sort(byClient)).toEqual(
        [revocation('u1', 4000, 1000), { ...revocation('u1', 3000), keyName: 'a.k2' }].sort(
          byClient,
        ),
      );
      expect(await store.pruneRevocations(3500, 1)).toBe(1);
      expect(await store.pruneRevocations(3500, 1)).toBe(1);
      expect(await store.pruneRevocations(3500, 1)).toBe(0);
      expect(await store.listRevocations()).toEqual([revocation('u1', 4000, 1000)]);
      await store.close();
    });

    it('RSA9: records used TokenRequest nonces per key, lists those used since a time, prunes in batches', async () => {
      const store = await factory.open();
      await store.recordNonce(nonce('n1', 1000));
      await store.recordNonce(nonce('n2', 2000));
      await store.recordNonce(nonce('n1', 3000, 'a.k2'));
      await store.recordNonce(nonce('n3', 4000));
      expect((await store.listNonces(0)).sort(byNonce)).toEqual(
        [nonce('n1', 1000), nonce('n2', 2000), nonce('n1', 3000, 'a.k2'), nonce('n3', 4000)].sort(
          byNonce,
        ),
      );
      expect((await store.listNonces(2000)).sort(byNonce)).toEqual(
        [nonce('n2', 2000), nonce('n1', 3000, 'a.k2'), nonce('n3', 4000)].sort(byNonce),
      );
      expect(await store.pruneNonces(3500, 2)).toBe(2);
      expect(await store.pruneNonces(3500, 2)).toBe(1);
      expect(await store.pruneNonces(3500, 2)).toBe(0);
      expect(await store.listNonces(0)).toEqual([nonce('n3', 4000)]);
      await store.close();
    });

    it.skipIf(!factory.reopen)(
      'keeps revocations and used nonces across a restart (durable stores only)',
      async () => {
        const store = await factory.open();
        await store.saveRevocation(revocation('u1', 5000, 35_000));
        await store.recordNonce(nonce('n1', 6000));
        await store.close();
        const again = await factory.reopen!();
        expect(await again.listRevocations()).toEqual([revocation('u1', 5000, 35_000)]);
        expect(await again.listNonces(0)).toEqual([nonce('n1', 6000)]);
        await again.close();
      },
    );

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

    auditStoreCases(factory);
  });
}
