import { appFromSpec, createEngine, createMemoryStore, keyFromSpec } from '@switchboard/server';
import { afterEach, describe, expect, it, vi } from 'vitest';

const engines: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

async function engineOverStore() {
  const store = createMemoryStore();
  // A short period instead of APP_RELOAD_MS, so the test waits tens of milliseconds.
  const engine = await createEngine({ store, appReloadMs: 20 });
  engines.push(engine);
  return { store, engine };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('apps reloaded from the store', () => {
  it('sees apps and keys another process added, changed or deleted', async () => {
    const { store, engine } = await engineOverStore();
    const app = appFromSpec({}, Date.now(), 'other');
    await store.saveApp(app);
    await vi.waitFor(() => expect(engine.apps.get('other')).toBeDefined());
    const before = engine.apps.get('other');
    const key = keyFromSpec('other', { capability: { 'chat:*': ['subscribe'] } });
    await store.saveApp({ ...app, keys: [...app.keys, key] });
    await vi.waitFor(() =>
      expect(engine.apps.findKey(key.keyName)?.capability).toBe('{"chat:*":["subscribe"]}'),
    );
    // The same App object, updated in place: sessions of the app still resume (same app check).
    expect(engine.apps.get('other')).toBe(before);
    await store.saveApp({ ...app, keys: [key] });
    await vi.waitFor(() => expect(engine.apps.findKey(app.keys[0]!.keyName)).toBeUndefined());
    await store.deleteApp('other');
    await vi.waitFor(() => expect(engine.apps.get('other')).toBeUndefined());
  });

  it('never drops an app this engine saved while a reload was reading the store', async () => {
    const { engine } = await engineOverStore();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const record = await engine.createApp({}, `app${i}`);
      ids.push(record.id);
      await tick(3);
    }
    await tick(100);
    expect(ids.filter((id) => !engine.apps.get(id))).toEqual([]);
  });
});
