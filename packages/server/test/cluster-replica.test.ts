import { createMemoryBrokerBackend, type Broker } from '@switchboard/server';
import { describe, expect, it } from 'vitest';
import { createClusterReplica } from '../dist/channels/cluster-replica.js';

const channel = { appId: 'app', name: 'room' };
const message = (i: number) => ({
  kind: 'message' as const,
  timestamp: i,
  pmId: `p:${i}`,
  items: [{ name: `m${i}` }],
});

describe('a channel replica starting on a busy channel', () => {
  it('loads the recent window although writes land between reading the head and the log', async () => {
    // Found by the cluster chaos run: with the log full, a write between head() and since()
    // trimmed the oldest entry asked for, the window loaded empty, and a subscriber moved to
    // this node re-attached without RESUMED, missing what it had not yet seen.
    const windowMax = 100;
    const backend = createMemoryBrokerBackend({ windowMax, idempotencyWindowMs: 60_000 });
    const writer = backend.connect('writer');
    const node = backend.connect('node');
    for (let i = 0; i < 3 * windowMax; i++) await writer.append(channel, message(i));
    const busy: Broker = {
      ...node,
      async head(c) {
        const head = await node.head(c);
        for (let i = 0; i < 5; i++) await writer.append(channel, message(1000 + i));
        return head;
      },
    };
    let loaded: number[] = [];
    const replica = createClusterReplica(
      { broker: busy, appId: channel.appId, name: channel.name, windowMax },
      {
        load: (entries) => void (loaded = entries.map((e) => e.seq)),
        receive: () => undefined,
      },
    );
    await replica.whenReady();
    // Writes land before every read here: the last read asks for nine tenths, up to the head.
    expect(loaded.length).toBeGreaterThanOrEqual(windowMax * 0.9);
    expect(loaded.at(-1)).toBe(await node.head(channel));
    replica.close();
  });
});
