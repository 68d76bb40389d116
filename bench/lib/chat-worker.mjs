// A load-side worker for the chat scenario (lib/chat.mjs): one share of the official `ably`
// client connections, grouped in whole `conversation:{id}` channels so that a message's sender and
// its receivers are in the same process. Latencies use the wall clock in µs (clients.mjs
// nowMicros), which the parent's figures share.
//
// Messages from the parent:
//   { type: 'connect', options, conversations: [{ id, members: [clientId…] }], ratePerSecond }
//     → { type: 'connected', connectMs: number[], failed: string[], rssBytes }
//   { type: 'traffic', seconds, intervalMs, typingLeadMs }
//     → { type: 'traffic-done', message, typing, expected, received, errors, lastError }
//   { type: 'close' }
import { performance } from 'node:perf_hooks';
import * as Ably from 'ably';
import { nowMicros } from './clients.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** @type {{ client: Ably.Realtime, channel: Ably.RealtimeChannel, clientId: string, conversation: string }[]} */
let members = [];
/** @type {Map<string, typeof members>} */
const byConversation = new Map();
const latencies = { message: [], typing: [] };
let measuring = false;
let received = 0;
let errors = 0;
let lastError = '';

function error(message) {
  errors += 1;
  lastError = message;
}

function onMessage(member, msg) {
  // Only another member's receipt counts: that is what a person in the conversation sees.
  if (!measuring || msg.clientId === member.clientId || typeof msg.data !== 'string') return;
  const sentAt = Number(msg.data.slice(msg.data.indexOf(':') + 1));
  const ms = (nowMicros() - sentAt) / 1000;
  if (msg.name === 'typing:start') latencies.typing.push(ms);
  else if (msg.name === 'message') {
    latencies.message.push(ms);
    received += 1;
  }
}

async function connectOne(options, clientId, conversation) {
  const started = performance.now();
  const client = new Ably.Realtime({ ...options, clientId });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not connected after 30 s')), 30_000);
      client.connection.once('connected', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      client.connection.once('failed', (change) => {
        clearTimeout(timer);
        reject(new Error(change.reason?.message ?? 'connection failed'));
      });
    });
  } catch (err) {
    client.close();
    throw err;
  }
  const connectMs = performance.now() - started;
  const channel = client.channels.get(`conversation:${conversation}`);
  const member = { client, channel, clientId, conversation };
  await channel.subscribe((msg) => onMessage(member, msg));
  client.connection.on('disconnected', () => error(`${clientId} disconnected`));
  return { member, connectMs };
}

async function connect({ options, conversations, ratePerSecond }) {
  const jobs = [];
  const gap = 1000 / ratePerSecond;
  const t0 = performance.now();
  let k = 0;
  for (const conv of conversations) {
    for (const clientId of conv.members) {
      // Clients arrive at a steady rate, as users opening an app do, not all in one instant.
      const due = t0 + k++ * gap;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      jobs.push(
        connectOne(options, clientId, conv.id).then(
          (r) => r,
          (err) => ({ failed: `${clientId}: ${err.message}` }),
        ),
      );
    }
  }
  const results = await Promise.all(jobs);
  members = results.filter((r) => r.member).map((r) => r.member);
  for (const m of members) {
    const list = byConversation.get(m.conversation) ?? [];
    list.push(m);
    byConversation.set(m.conversation, list);
  }
  globalThis.gc?.();
  return {
    rssBytes: process.memoryUsage().rss,
    connectMs: results.filter((r) => r.member).map((r) => r.connectMs),
    failed: results.filter((r) => r.failed).map((r) => r.failed),
  };
}

/**
 * Every conversation, every `intervalMs` (staggered): the next member in turn sends
 * `typing:start`, then `typingLeadMs` later the message itself.
 */
async function traffic({ seconds, intervalMs, typingLeadMs }) {
  latencies.message = [];
  latencies.typing = [];
  received = 0;
  let expected = 0;
  measuring = true;
  const end = performance.now() + seconds * 1000;
  const loops = [...byConversation.values()].map(async (list, c) => {
    await sleep((c * intervalMs) / byConversation.size);
    let turn = 0;
    while (performance.now() < end) {
      const sender = list[turn++ % list.length];
      const next = performance.now() + intervalMs;
      try {
        await sender.channel.publish('typing:start', `t:${nowMicros()}`);
        await sleep(typingLeadMs);
        expected += list.length - 1;
        await sender.channel.publish('message', `m:${nowMicros()}`);
      } catch (err) {
        error(`publish: ${err.message}`);
      }
      await sleep(Math.max(0, next - performance.now()));
    }
  });
  await Promise.all(loops);
  // What is still in flight arrives, or counts as not received.
  const drainEnd = performance.now() + 5000;
  while (received < expected && performance.now() < drainEnd) await sleep(20);
  measuring = false;
  return {
    message: latencies.message,
    typing: latencies.typing,
    expected,
    received,
    errors,
    lastError,
  };
}

process.on('message', (msg) => {
  const reply = (promise, type) =>
    promise.then(
      (r) => process.send?.({ type, ...r }),
      (err) => process.send?.({ type: 'failed', error: err?.message ?? String(err) }),
    );
  if (msg?.type === 'connect') reply(connect(msg), 'connected');
  else if (msg?.type === 'traffic') reply(traffic(msg), 'traffic-done');
  else if (msg?.type === 'close') {
    for (const m of members) m.client.close();
    setTimeout(() => process.exit(0), 500);
  }
});
process.on('disconnect', () => process.exit(0));
