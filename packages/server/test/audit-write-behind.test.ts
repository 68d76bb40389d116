import {
  DEFAULT_LIMITS,
  silentLogger,
  createEngine,
  createMemoryStore,
  type Engine,
  type Store,
} from '@switchboard/server';
import { describe, expect, it } from 'vitest';

/** A memory store whose write-behind writes fail while `failing` is set. */
function flakyStore(): { store: Store; setFailing(on: boolean): void } {
  const inner = createMemoryStore();
  let failing = false;
  const guard =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      if (failing) throw new Error('disk full');
      return write(...args);
    };
  return {
    store: {
      ...inner,
      appendEvents: guard(inner.appendEvents),
      saveChannels: guard(inner.saveChannels),
      saveConnectionStats: guard(inner.saveConnectionStats),
      saveStatsMinutes: guard(inner.saveStatsMinutes),
    },
    setFailing: (on) => void (failing = on),
  };
}

async function publish(engine: Engine, key: string, channel: string, count: number) {
  const body = Array.from({ length: count }, (_, i) => ({ name: `m${i}`, data: 'x' }));
  return engine.handleRest({
    method: 'POST',
    path: `/channels/${channel}/messages`,
    query: new URLSearchParams(),
    headers: {
      authorization: `Basic ${Buffer.from(key).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: Buffer.from(JSON.stringify(body)),
  });
}

describe('write-behind of the operational tables', () => {
  it('a failing store fails no publish and no close: rows wait (bounded, drops counted) and are written once it recovers', async () => {
    const { store, setFailing } = flakyStore();
    const warnings: string[] = [];
    const engine = await createEngine({
      store,
      limits: { maxUnwrittenAuditRows: 5 },
      logger: { ...silentLogger, warn: (message) => warnings.push(message) },
    });
    const app = await engine.createApp({ keys: [{}] });
    const key = `${app.keys[0]!.keyName}:${app.keys[0]!.secret}`;
    setFailing(true);
    expect((await publish(engine, key, 'room', 3)).status).toBe(201);
    await engine.audit.flush();
    expect((await publish(engine, key, 'room', 4)).status).toBe(201);
    await engine.audit.flush();
    expect(warnings.some((w) => w.includes('events log'))).toBe(true);
    const counters = engine.audit.counters();
    expect(counters.writeFailures).toBeGreaterThan(0);
    // Seven rows against a bound of five: the oldest publish's three were dropped.
    expect(counters.eventsDropped).toBe(3);
    expect(counters.eventsPending).toBe(4);
    setFailing(false);
    const page = await engine.audit.events({ appId: app.id, limit: 10 });
    expect(page.items.map((e) => e.name)).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect((await engine.audit.channels({ appId: app.id, limit: 10 })).items).toHaveLength(1);
    await engine.close();
  });

  it('the retention sweep prunes each table past its retention and keeps the rest', async () => {
    const store = createMemoryStore();
    const now = Date.now();
    const day = 86_400_000;
    const event = (serial: string, timestamp: number) => ({
      appId: 'a',
      channel: 'room',
      serial,
      dataBytes: 1,
      connectionId: 'c',
      source: 'rest' as const,
      timestamp,
    });
    await store.appendEvents([event('old', now - 8 * day), event('new', now - day)]);
    const connection = (id: string, at: number) => ({
      connectionId: id,
      appId: 'a',
      transport: 'websocket',
      format: 'json' as const,
      connectedAt: at,
      disconnectedAt: at,
      lastActivityAt: at,
      messagesIn: 0,
      messagesOut: 0,
    });
    await store.saveConnectionStats([connection('old', now - 8 * day), connection('new', now)]);
    const channel = (name: string, at: number) => ({
      appId: 'a',
      name,
      type: name,
      firstActivityAt: at,
      lastActivityAt: at,
      active: false,
    });
    await store.saveChannels([channel('old', now - 31 * day), channel('new', now - day)]);
    const minute = (at: number) => ({ appId: 'a', minute: at - (at % 60_000), entries: { x: 1 } });
    await store.saveStatsMinutes([minute(now - DEFAULT_LIMITS.statsRetentionMs - day)]);
    const engine = await createEngine({ store });
    // close() waits for the sweep that starts with the engine.
    await engine.close();
    expect((await store.listEvents({ appId: 'a', limit: 9 })).items.map((e) => e.serial)).toEqual([
      'new',
    ]);
    const connections = await store.listConnectionStats({ appId: 'a', limit: 9 });
    expect(connections.items.map((c) => c.connectionId)).toEqual(['new']);
    const channels = await store.listChannels({ appId: 'a', limit: 9 });
    expect(channels.items.map((c) => c.name)).toEqual(['new']);
    expect(await store.listStatsMinutes({})).toEqual([]);
  });
});
