import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createMessageLog, type LogEntry } from '../dist/channels/message-log.js';

// A GC on demand, without starting vitest with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('message log retention', () => {
  it('lets go of pruned entries at once, not when the array is next compacted', async () => {
    const log = createMessageLog({ minCount: 2, minAgeMs: 0, maxCount: 100 });
    const refs: WeakRef<LogEntry>[] = [];
    // Built in a function so no strong reference outlives the appends.
    ((): void => {
      for (let seq = 0; seq < 10; seq++) {
        const entry = {
          seq,
          timestamp: 0,
          messages: [{ data: 'x'.repeat(1000) }],
          frame: {},
        } as unknown as LogEntry;
        refs.push(new WeakRef(entry));
        log.append(entry, 1);
      }
    })();
    // WeakRefs hold their target until the current job ends.
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(log.entries().map((e) => e.seq)).toEqual([8, 9]);
    expect(refs.map((r) => r.deref() !== undefined)).toEqual([...Array(8).fill(false), true, true]);
  });
});
