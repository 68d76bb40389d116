import { DEFAULT_LIMITS, createEngine, createMemoryStore } from '@switchboard/server';
import { describe, expect, it } from 'vitest';

describe('engine retention of revocations and used nonces', () => {
  it('RSA17/RSA9: prunes from the store what can no longer matter, keeps the rest', async () => {
    const store = createMemoryStore();
    const now = Date.now();
    const { maxTokenTtlMs, tokenRequestWindowMs } = DEFAULT_LIMITS;
    const stale = {
      keyName: 'a.k',
      clientId: 'old',
      issuedBefore: now - maxTokenTtlMs - 1000,
      appliesAt: 0,
    };
    const live = {
      keyName: 'a.k',
      clientId: 'new',
      issuedBefore: now - 1000,
      appliesAt: now - 1000,
    };
    await store.saveRevocation(stale);
    await store.saveRevocation(live);
    await store.recordNonce({
      keyName: 'a.k',
      nonce: 'old',
      usedAt: now - 2 * tokenRequestWindowMs - 1000,
    });
    await store.recordNonce({ keyName: 'a.k', nonce: 'new', usedAt: now - 1000 });
    const engine = await createEngine({ store });
    // close() waits for the sweep that starts with the engine.
    await engine.close();
    expect(await store.listRevocations()).toEqual([live]);
    expect((await store.listNonces(0)).map((n) => n.nonce)).toEqual(['new']);
  });
});
