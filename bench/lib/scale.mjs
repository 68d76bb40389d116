// Scenario "connections": a large population of attached connections on one node, opened by
// worker processes (lib/load-worker.mjs) with the bench's raw protocol client, since the official
// client costs far more per connection than the server does. Measures the connect rate, the
// server's RSS per connection, and fan-out to all of them: how long one message takes to reach
// every connection.
import { performance } from 'node:perf_hooks';
import { Meter, RawConn, payloadMaker } from './clients.mjs';
import { startWorker } from './workers.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Connections per worker process: well inside a 20,000 open-file limit, and quick to read. */
const PER_WORKER = 7000;
const CONCURRENCY_PER_WORKER = 100;
const FANOUT_TIMEOUT_MS = 60_000;

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runConnections(server, sc, o, progress) {
  const channel = 'scale-all';
  const workerCount = Math.max(1, Math.ceil(sc.conns / PER_WORKER));
  const workers = Array.from({ length: workerCount }, () => startWorker('load-worker.mjs'));
  const meter = new Meter(1);
  let publisher;
  try {
    // What the server holds before the population: a GC first, so RSS reflects live memory.
    const mem0 = await server.gc();
    const rss0 = server.rssBytes();
    const cpu0 = server.cpuSeconds();
    progress(`opening ${sc.conns} connections from ${workerCount} load processes`);
    let done = 0;
    for (const w of workers)
      w.child.on('progress', () => {
        done += 1000;
        if (done % 5000 === 0) progress(`${done}/${sc.conns} connected`);
      });
    const started = performance.now();
    const shares = workers.map(
      (_, i) => Math.floor(sc.conns / workerCount) + (i < sc.conns % workerCount ? 1 : 0),
    );
    const opened = await Promise.all(
      workers.map((w, i) => {
        const reply = w.next(['opened', 'failed'], 120_000 + sc.conns * 20, 'opening');
        w.child.send({
          type: 'open',
          conn: {
            protocol: server.spec.protocol,
            format: server.spec.format,
            port: server.port,
            key: server.key,
            dataSize: o.size,
          },
          count: shares[i],
          channel,
          concurrency: CONCURRENCY_PER_WORKER,
        });
        return reply;
      }),
    );
    const failed = opened.find((m) => m.type === 'failed');
    if (failed) throw new Error(`after ${done} connections: ${failed.error}`);
    const seconds = (performance.now() - started) / 1000;
    const cpu1 = server.cpuSeconds();
    await sleep(1000);
    const mem1 = await server.gc();
    const rss1 = server.rssBytes();
    progress(
      `${sc.conns} connected in ${seconds.toFixed(1)} s; ${((rss1 - rss0) / sc.conns / 1024).toFixed(1)} KiB RSS each`,
    );

    publisher = new RawConn({
      protocol: server.spec.protocol,
      format: server.spec.format,
      port: server.port,
      key: server.key,
      meter,
      sample: false,
      dataSize: o.size,
    });
    await publisher.ready(20_000);
    if (server.spec.protocol === 'pusher') await publisher.attach(channel, 20_000);
    const payload = payloadMaker(o.size);
    const toAll = [];
    const all = [];
    let errors = 0;
    let lastError = '';
    for (let k = 0; k < sc.messages; k++) {
      const replies = workers.map((w) =>
        w.next(['delivered'], FANOUT_TIMEOUT_MS, `fan-out of message ${k + 1}`),
      );
      for (const w of workers) w.child.send({ type: 'expect', count: 1 });
      // Let the workers arm their meters before the message can arrive.
      await sleep(50);
      publisher.publish(channel, payload());
      const got = await Promise.all(replies);
      const micros = got.flatMap((m) => m.micros);
      errors = got.reduce((sum, m) => sum + m.errors, 0);
      lastError = got.find((m) => m.lastError)?.lastError ?? lastError;
      toAll.push(Math.max(...micros) / 1000);
      for (const us of micros) all.push(us / 1000);
      progress(`message ${k + 1}: delivered to all ${sc.conns} in ${toAll.at(-1).toFixed(0)} ms`);
      await sleep(200);
    }
    all.sort((a, b) => a - b);
    const toAllSorted = [...toAll].sort((a, b) => a - b);
    return {
      conns: sc.conns,
      setup: sc.conns / seconds,
      setupSeconds: seconds,
      setupCpu: ((cpu1 - cpu0) / seconds) * 100,
      rssPerConn: (rss1 - rss0) / sc.conns / 1024,
      heapPerConn:
        mem0 && mem1
          ? (mem1.heapUsed + mem1.external - mem0.heapUsed - mem0.external) / sc.conns / 1024
          : NaN,
      rssAfter: rss1 / 1048576,
      loadRssPerConn: opened.reduce((n, m) => n + m.rssBytes, 0) / sc.conns / 1024,
      messages: sc.messages,
      toAllMedian: percentile(toAllSorted, 50),
      toAllMax: toAllSorted.at(-1),
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      samples: all.length,
      errors,
      lastError,
    };
  } finally {
    publisher?.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
}
