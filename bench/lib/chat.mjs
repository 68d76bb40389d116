// Scenario "chat": the chat product's targets, measured with the official `ably` client (the one
// apps use) in `conversation:{id}` channels: time to CONNECTED, message delivery to the other
// members, and a typing indicator (a `typing:start` publish, received by another member). The
// clients run in worker processes (lib/chat-worker.mjs), whole conversations per worker.
import { performance } from 'node:perf_hooks';
import { percentile } from './scale.mjs';
import { startWorker } from './workers.mjs';

/** The product's targets, in ms at p95. */
export const CHAT_TARGETS = { connect: 1000, message: 500, typing: 200 };

const sorted = (a) => Float64Array.from(a).sort();
const stats = (a) => {
  const s = sorted(a);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), n: s.length };
};

export async function runChat(server, sc, o, progress) {
  const conversations = Array.from(
    { length: Math.ceil(sc.clients / sc.perConversation) },
    (_, c) => ({
      id: `c${c}`,
      members: [],
    }),
  );
  for (let i = 0; i < sc.clients; i++)
    conversations[i % conversations.length].members.push(`user-${i}`);
  const shares = Array.from({ length: sc.workers }, () => []);
  conversations.forEach((conv, c) => shares[c % sc.workers].push(conv));
  const workers = shares.map(() => startWorker('chat-worker.mjs'));
  const options = {
    key: server.key,
    endpoint: '127.0.0.1',
    port: server.port,
    tls: false,
    useBinaryProtocol: server.spec.format === 'msgpack',
    disableConnectivityCheck: true,
    transports: ['web_socket'],
    logLevel: 0,
  };
  try {
    progress(
      `connecting ${sc.clients} ably clients (${sc.rate}/s) in ${conversations.length} conversations, ${sc.workers} load processes`,
    );
    const started = performance.now();
    const cpu0 = server.cpuSeconds();
    const connected = await Promise.all(
      workers.map((w, i) => {
        const reply = w.next(['connected', 'failed'], 120_000 + sc.clients * 100, 'connecting');
        w.child.send({
          type: 'connect',
          options,
          conversations: shares[i],
          ratePerSecond: sc.rate / sc.workers,
        });
        return reply;
      }),
    );
    const setupSeconds = (performance.now() - started) / 1000;
    const broken = connected.find((m) => m.type === 'failed');
    if (broken) throw new Error(broken.error);
    const failures = connected.flatMap((m) => m.failed);
    if (failures.length) throw new Error(`${failures.length} clients failed: ${failures[0]}`);
    const connect = stats(connected.flatMap((m) => m.connectMs));
    progress(
      `all connected and attached in ${setupSeconds.toFixed(1)} s; time to CONNECTED p95 ${connect.p95.toFixed(0)} ms`,
    );

    progress(
      `chatting for ${sc.seconds} s: every conversation, every ${sc.intervalMs} ms, typing:start then a message`,
    );
    const cpu1 = server.cpuSeconds();
    const t1 = performance.now();
    const done = await Promise.all(
      workers.map((w) => {
        const reply = w.next(['traffic-done', 'failed'], sc.seconds * 1000 + 60_000, 'chatting');
        w.child.send({
          type: 'traffic',
          seconds: sc.seconds,
          intervalMs: sc.intervalMs,
          typingLeadMs: sc.typingLeadMs,
        });
        return reply;
      }),
    );
    const trafficSeconds = (performance.now() - t1) / 1000;
    const cpu2 = server.cpuSeconds();
    const bad = done.find((m) => m.type === 'failed');
    if (bad) throw new Error(bad.error);
    const message = stats(done.flatMap((m) => m.message));
    const typing = stats(done.flatMap((m) => m.typing));
    const expected = done.reduce((n, m) => n + m.expected, 0);
    const received = done.reduce((n, m) => n + m.received, 0);
    return {
      clients: sc.clients,
      conversations: conversations.length,
      // The official client's own footprint, which is why (vi) uses the raw client instead.
      loadRssPerClient: connected.reduce((n, m) => n + m.rssBytes, 0) / sc.clients / 1024,
      connectP50: connect.p50,
      connectP95: connect.p95,
      connectP99: connect.p99,
      setup: sc.clients / setupSeconds,
      setupCpu: ((cpu1 - cpu0) / setupSeconds) * 100,
      messageP50: message.p50,
      messageP95: message.p95,
      messageP99: message.p99,
      typingP50: typing.p50,
      typingP95: typing.p95,
      typingP99: typing.p99,
      deliveries: message.n,
      expected,
      received,
      serverCpu: ((cpu2 - cpu1) / trafficSeconds) * 100,
      errors: done.reduce((n, m) => n + m.errors, 0),
      lastError: done.find((m) => m.lastError)?.lastError ?? '',
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}
