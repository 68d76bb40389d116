import { DEFAULT_HEARTBEAT_CONFIG } from '@switchboard/server';
import { expect, it } from 'vitest';
import type { StoreFactory } from './store-factory.js';

/**
 * The heartbeat_config cases. They restore the seed rows they change: some adapters keep this
 * table between cases (PostgreSQL's is the B2B team's, not truncated).
 */
export function heartbeatConfigCases(factory: StoreFactory): void {
  it('heartbeat_config starts with the B2B defaults (30 s / 90 s; 60 s / 180 s for organization and system)', async () => {
    const store = await factory.open();
    const rows = await store.listHeartbeatConfig();
    for (const seed of DEFAULT_HEARTBEAT_CONFIG) expect(rows).toContainEqual(seed);
    await store.close();
  });

  it('heartbeat_config saves, replaces, lists by type and deletes rows', async () => {
    const store = await factory.open();
    await store.saveHeartbeatConfig({ channelType: 'zz-suite', intervalMs: 200, timeoutMs: 600 });
    await store.saveHeartbeatConfig({ channelType: 'aa-suite', intervalMs: 1000, timeoutMs: 3000 });
    await store.saveHeartbeatConfig({ channelType: 'zz-suite', intervalMs: 250, timeoutMs: 750 });
    const rows = await store.listHeartbeatConfig();
    const types = rows.map((r) => r.channelType);
    expect(types).toEqual([...types].sort());
    expect(rows).toContainEqual({ channelType: 'zz-suite', intervalMs: 250, timeoutMs: 750 });
    expect(rows.filter((r) => r.channelType === 'zz-suite')).toHaveLength(1);
    expect(await store.deleteHeartbeatConfig('zz-suite')).toBe(true);
    expect(await store.deleteHeartbeatConfig('zz-suite')).toBe(false);
    expect(await store.deleteHeartbeatConfig('aa-suite')).toBe(true);
    const after = (await store.listHeartbeatConfig()).map((r) => r.channelType);
    expect(after).not.toContain('zz-suite');
    expect(after).not.toContain('aa-suite');
    await store.close();
  });
}
