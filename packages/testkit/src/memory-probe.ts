// Loaded with `node --import` into a server started by spawnSwitchboard(): answers memory
// questions over the IPC channel, so the server's own code needs no hook for them.
import { writeHeapSnapshot } from 'node:v8';

interface MemoryRequest {
  type: 'memory' | 'heap-snapshot';
  id: number;
  /** For a heap snapshot: the file to write. */
  path?: string;
}

const isRequest = (m: unknown): m is MemoryRequest =>
  typeof m === 'object' &&
  m !== null &&
  ['memory', 'heap-snapshot'].includes(String((m as { type?: unknown }).type));

if (process.send) {
  process.on('message', (m: unknown) => {
    if (!isRequest(m)) return;
    if (m.type === 'heap-snapshot') {
      writeHeapSnapshot(m.path);
      process.send?.({ type: 'heap-snapshot', id: m.id });
      return;
    }
    // After a full collection the heap figure is what is still referenced, not garbage that
    // happens to be waiting: the only figure whose growth means a leak.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const u = process.memoryUsage();
    process.send?.({
      type: 'memory',
      id: m.id,
      rss: u.rss,
      heapUsed: u.heapUsed,
      heapTotal: u.heapTotal,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
      collected: gc !== undefined,
    });
  });
  // The channel must not keep the server alive once it wants to exit.
  process.channel?.unref();
  // A runner killed outright leaves no one to stop its server: the channel closing says so.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
