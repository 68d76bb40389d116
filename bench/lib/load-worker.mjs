// A load-side worker process for populations larger than one process should hold (the open-file
// limit is per process, and one event loop reading 20,000 sockets is slow to start): it opens its
// share of raw connections (lib/clients.mjs RawConn), attaches them to one channel, and reports
// per-message delivery latencies back to bench/run.mjs over IPC.
//
// Messages from the parent:
//   { type: 'open', conn: { protocol, format, port, key, dataSize }, count, channel, concurrency }
//     → { type: 'progress', done } every 1,000, then { type: 'opened', seconds, rssBytes } or
//       { type: 'failed', error }
//   { type: 'expect', count }   the next `count` deliveries per connection are measured
//     → { type: 'delivered', micros: number[] } (one latency per delivery) once all arrived
//   { type: 'close' }           closes every connection and exits
import { performance } from 'node:perf_hooks';
import { Meter, RawConn } from './clients.mjs';

/** @type {RawConn[]} */
let conns = [];
let meter = new Meter(1);
let target = Infinity;

function checkDone() {
  if (meter.delivered < target) return;
  target = Infinity;
  meter.measuring = false;
  process.send?.({
    type: 'delivered',
    micros: Array.from(meter.samples.subarray(0, meter.sampleCount)),
    errors: meter.errors,
    lastError: meter.lastError,
  });
}

async function open({ conn, count, channel, concurrency }) {
  meter = new Meter(count * 8);
  conns = new Array(count);
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const c = new RawConn({ ...conn, meter, sample: true, onProgress: checkDone });
      conns[i] = c;
      await c.ready(30_000);
      await c.attach(channel, 30_000);
      done += 1;
      if (done % 1000 === 0) process.send?.({ type: 'progress', done });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return (performance.now() - started) / 1000;
}

process.on('message', (msg) => {
  if (msg?.type === 'open') {
    open(msg).then(
      (seconds) => {
        globalThis.gc?.();
        process.send?.({ type: 'opened', seconds, rssBytes: process.memoryUsage().rss });
      },
      (err) => process.send?.({ type: 'failed', error: err?.message ?? String(err) }),
    );
  } else if (msg?.type === 'expect') {
    meter.sampleCount = 0;
    meter.measuring = true;
    target = meter.delivered + msg.count * conns.length;
    checkDone();
  } else if (msg?.type === 'close') {
    for (const c of conns) c?.close();
    setImmediate(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
