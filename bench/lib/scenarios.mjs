// The scenarios: each runs against one started server, from this (the load) process, and returns
// one row of figures. Every loop is bounded in count, and every wait in time.
import { performance } from 'node:perf_hooks';
import { Meter, OfficialConn, RawConn, payloadMaker } from './clients.mjs';
import { selfCpuSeconds } from './servers.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CONNECT_CONCURRENCY = 200;
const SETUP_TIMEOUT_MS = 20_000;
const STALL_MS = 5_000;

/** Scenario definitions; `quick` shrinks durations and the idle/presence populations. */
export function defineScenarios(o) {
  return {
    latency: {
      id: 'latency',
      title: `(i) ${o.subs} subscribers on one channel, ${o.rate} msg/s: latency`,
      kind: 'fanout',
      subs: o.subs,
      channels: 1,
      rate: o.rate,
    },
    fanout: {
      id: 'fanout',
      title: `(ii) ${o.subs} subscribers on one channel, flat out: throughput`,
      kind: 'fanout',
      subs: o.subs,
      channels: 1,
      rate: 0,
    },
    channels: {
      id: 'channels',
      title: `(iii) ${o.channels} channels × ${Math.max(1, Math.floor(o.subs / o.channels))} subscribers, flat out: throughput`,
      kind: 'fanout',
      subs: Math.max(1, Math.floor(o.subs / o.channels)) * o.channels,
      channels: o.channels,
      rate: 0,
    },
    idle: {
      id: 'idle',
      title: `(iv) ${o.idle} idle attached connections: server memory`,
      kind: 'idle',
      conns: o.idle,
      channels: 100,
    },
    presence: {
      id: 'presence',
      title: `(v) presence churn: ${o.members} members entering and leaving one channel (Switchboard only)`,
      kind: 'presence',
      members: o.members,
      switchboardOnly: true,
    },
    connections: {
      id: 'connections',
      title: `(vi) ${o.conns} concurrent attached connections on one node: connect rate, memory, fan-out to all`,
      kind: 'connections',
      conns: o.conns,
      messages: o.messages,
      defaultServers: ['ws', 'soketi', 'sb-json'],
    },
    chat: {
      id: 'chat',
      title: `(vii) chat: ${o.clients} official ably clients in conversations of ${o.perConversation}, connecting at ${o.chatRate}/s`,
      kind: 'chat',
      clients: o.clients,
      perConversation: o.perConversation,
      rate: o.chatRate,
      workers: o.chatWorkers,
      seconds: o.chatSeconds,
      intervalMs: o.chatInterval,
      typingLeadMs: 300,
      switchboardOnly: true,
      defaultServers: ['sb-json', 'sb-msgpack'],
    },
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function latencySummary(meter) {
  const s = meter.samples.slice(0, meter.sampleCount).sort();
  return {
    p50: percentile(s, 50) / 1000,
    p95: percentile(s, 95) / 1000,
    p99: percentile(s, 99) / 1000,
    samples: s.length,
  };
}

/** Makes a subscriber or member connection in the chosen client mode. */
async function makeConn(server, o, extra, index = 0) {
  // On a cluster, connection i goes to node i mod n (round robin, as a balancer would).
  const ports = server.ports ?? [server.port];
  const options = {
    protocol: server.spec.protocol,
    format: server.spec.format,
    port: ports[index % ports.length],
    key: server.key,
    dataSize: o.size,
    ...extra,
  };
  // Official clients exist for Switchboard (ably-js) and socket.io (socket.io-client); the ws
  // baselines always get the raw client.
  if (o.client === 'official' && (server.spec.switchboard || server.spec.protocol === 'sio'))
    return OfficialConn.create(options);
  return new RawConn(options);
}

/**
 * Opens `count` connections, CONNECT_CONCURRENCY at a time, each attached to `channelOf(i)`.
 * Returns the connections and the seconds it took until the last was attached.
 */
async function openConnections(count, make, channelOf, progress) {
  const conns = new Array(count);
  const started = performance.now();
  const deadline = started + SETUP_TIMEOUT_MS + count * 10;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      if (performance.now() > deadline)
        throw new Error(`connection setup took over ${Math.round((deadline - started) / 1000)} s`);
      const i = next++;
      const conn = await make(i);
      conns[i] = conn;
      await conn.ready(SETUP_TIMEOUT_MS);
      const channel = channelOf(i);
      if (channel !== undefined) await conn.attach(channel, SETUP_TIMEOUT_MS);
      done += 1;
      if (done % 1000 === 0) progress(`${done}/${count} connected`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, worker));
  } catch (err) {
    for (const c of conns) c?.close();
    throw err;
  }
  return { conns, seconds: (performance.now() - started) / 1000 };
}

function closeAll(conns) {
  for (const c of conns) c?.close();
}

function snapshot(server, meter, extra = {}) {
  return {
    t: performance.now(),
    delivered: meter.delivered,
    frames: meter.frames,
    srv: server.cpuSeconds(),
    cli: selfCpuSeconds(),
    ...extra,
  };
}

/** Waits `ms`, failing if `progressOf()` stands still for STALL_MS meanwhile. */
async function watch(ms, progressOf, label) {
  const end = performance.now() + ms;
  let last = progressOf();
  let lastChange = performance.now();
  while (performance.now() < end) {
    await sleep(Math.min(250, Math.max(1, end - performance.now())));
    const now = progressOf();
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > STALL_MS)
      throw new Error(`${label}: no progress for ${STALL_MS / 1000} s`);
  }
}

/** (i)–(iii): subscribers on K channels, one publisher at a fixed rate or flat out. */
export async function runFanout(server, sc, o, progress) {
  const meter = new Meter();
  const perChannel = sc.subs / sc.channels;
  const flatOut = sc.rate === 0;
  // Latency is sampled on every subscriber at a fixed rate, on about 100 of them flat out.
  const stride = flatOut ? Math.max(1, Math.floor(sc.subs / 100)) : 1;
  // `bench:` is the persisted namespace on a persisted Switchboard (servers/switchboard.mjs).
  const prefix = server.spec.persisted ? 'bench:' : 'bench-';
  const channelName = (c) => `${prefix}${c}`;
  let pumpScheduled = false;
  let running = false;
  let published = 0;
  let next = 0;
  const payload = payloadMaker(o.size);
  let publisher;

  const pump = () => {
    pumpScheduled = false;
    if (!running) return;
    // Flow control, the same for every server: at most `window` messages per channel in flight,
    // counted in deliveries (each publish is owed `perChannel` of them), so that a slow server
    // queues nothing unbounded and (ii) and (iii) have the same deliveries outstanding.
    const inflight = published * perChannel - meter.delivered;
    let n = Math.floor((o.window * sc.subs - inflight) / perChannel);
    if (n <= 0) return;
    publisher.cork();
    while (n-- > 0) {
      publisher.publish(channelName(next), payload());
      next = (next + 1) % sc.channels;
      published += 1;
    }
    publisher.uncork();
  };
  const onProgress = flatOut
    ? () => {
        if (!pumpScheduled && running) {
          pumpScheduled = true;
          setImmediate(pump);
        }
      }
    : undefined;

  progress(`connecting ${sc.subs} subscribers`);
  const { conns, seconds } = await openConnections(
    sc.subs,
    (i) => makeConn(server, o, { meter, sample: i % stride === 0, onProgress }, i),
    (i) => channelName(i % sc.channels),
    progress,
  );
  try {
    publisher = new RawConn({
      protocol: server.spec.protocol,
      format: server.spec.format,
      port: server.port,
      key: server.key,
      meter,
      sample: false,
      dataSize: o.size,
    });
    await publisher.ready(SETUP_TIMEOUT_MS);
    // A Pusher client event may only be sent on a channel its sender is subscribed to.
    if (server.spec.protocol === 'pusher')
      for (let c = 0; c < sc.channels; c++)
        await publisher.attach(channelName(c), SETUP_TIMEOUT_MS);
    await sleep(200);
    const store0 = server.storeBytes();
    running = true;
    let timer;
    if (flatOut) pump();
    else {
      const t0 = performance.now();
      timer = setInterval(
        () => {
          const due = Math.min(
            1000,
            Math.floor(((performance.now() - t0) * sc.rate) / 1000) - published,
          );
          if (due <= 0) return;
          publisher.cork();
          for (let k = 0; k < due; k++) {
            publisher.publish(channelName(next), payload());
            next = (next + 1) % sc.channels;
            published += 1;
          }
          publisher.uncork();
        },
        Math.max(1, Math.floor(1000 / sc.rate)),
      );
    }
    try {
      // At a fixed rate p99 rests on few messages per second: measure twice as long.
      const measured = flatOut ? o.duration : o.duration * 2;
      progress(
        `${flatOut ? 'publishing flat out' : `publishing ${sc.rate} msg/s`}, ${o.warmup} s warm-up + ${measured} s measured`,
      );
      await watch(o.warmup * 1000, () => meter.delivered, 'warm-up');
      const a = snapshot(server, meter, { published });
      meter.measuring = true;
      await watch(measured * 1000, () => meter.delivered, 'measurement');
      meter.measuring = false;
      const b = snapshot(server, meter, { published });
      running = false;
      clearInterval(timer);
      // Let what is in flight arrive before closing, so the next run starts from quiet.
      const drainEnd = performance.now() + 3000;
      while (meter.delivered < published * perChannel && performance.now() < drainEnd)
        await sleep(20);
      const dt = (b.t - a.t) / 1000;
      const delivered = b.delivered - a.delivered;
      return {
        // What the run added to the server's SQLite database (and WAL), warm-up included.
        storeMiB: (server.storeBytes() - store0) / 1048576,
        delivered: delivered / dt,
        published: (b.published - a.published) / dt,
        ...latencySummary(meter),
        perFrame: delivered / Math.max(1, b.frames - a.frames),
        setup: sc.subs / seconds,
        serverCpu: ((b.srv - a.srv) / dt) * 100,
        clientCpu: ((b.cli - a.cli) / dt) * 100,
        // CPU cost per delivery holds up better than rates when others share the machine.
        serverUsPer: ((b.srv - a.srv) / Math.max(1, delivered)) * 1e6,
        errors: meter.errors,
        lastError: meter.lastError,
      };
    } finally {
      running = false;
      clearInterval(timer);
    }
  } finally {
    publisher?.close();
    closeAll(conns);
  }
}

/** (iv): N idle connections, each attached to one of 100 channels; server RSS before and after. */
export async function runIdle(server, sc, o, progress) {
  const meter = new Meter(1);
  // Warm up first: code paths compiled and the channels created once, so that what is measured is
  // what each further connection costs.
  const warm = await openConnections(
    Math.min(200, sc.conns),
    () => makeConn(server, o, { meter, sample: false }),
    (i) => `idle-${i % sc.channels}`,
    progress,
  );
  closeAll(warm.conns);
  await sleep(500);
  const mem0 = await server.gc();
  const rss0 = server.rssBytes();
  const cpu0 = server.cpuSeconds();
  progress(`opening ${sc.conns} idle connections`);
  const { conns, seconds } = await openConnections(
    sc.conns,
    () => makeConn(server, o, { meter, sample: false }),
    (i) => `idle-${i % sc.channels}`,
    progress,
  );
  try {
    const cpu1 = server.cpuSeconds();
    await sleep(1000);
    const mem1 = await server.gc();
    const rss1 = server.rssBytes();
    return {
      conns: sc.conns,
      rssPerConn: (rss1 - rss0) / sc.conns / 1024,
      heapPerConn:
        mem0 && mem1
          ? (mem1.heapUsed + mem1.external - mem0.heapUsed - mem0.external) / sc.conns / 1024
          : NaN,
      rssBefore: rss0 / 1048576,
      rssAfter: rss1 / 1048576,
      setup: sc.conns / seconds,
      setupCpu: ((cpu1 - cpu0) / seconds) * 100,
      errors: meter.errors,
      lastError: meter.lastError,
    };
  } finally {
    closeAll(conns);
  }
}

/** (v): members attached to one channel enter and leave in turn, `window` operations in flight. */
export async function runPresence(server, sc, o, progress) {
  const meter = new Meter();
  const channel = 'presence-bench';
  const stride = Math.max(1, Math.floor(sc.members / 100));
  const payload = payloadMaker(o.size);
  const present = new Uint8Array(sc.members);
  const idle = [];
  let running = false;
  let inflight = 0;
  let acked = 0;
  let scheduled = false;
  let conns = [];

  const pump = () => {
    scheduled = false;
    if (!running) return;
    let k = 0;
    while (inflight < o.window && k < idle.length) {
      const i = idle[k++];
      const action = present[i] ? 3 : 2;
      present[i] ^= 1;
      inflight += 1;
      conns[i].presence(channel, action, payload());
    }
    idle.splice(0, k);
  };
  const onAck = (conn) => {
    inflight -= 1;
    acked += 1;
    idle.push(conn.index);
    if (!scheduled && running) {
      scheduled = true;
      setImmediate(pump);
    }
  };

  progress(`connecting ${sc.members} members`);
  const opened = await openConnections(
    sc.members,
    async (i) => {
      const conn = await makeConn(server, o, {
        meter,
        sample: i % stride === 0,
        clientId: `member-${i}`,
        onAck,
      });
      conn.index = i;
      return conn;
    },
    () => channel,
    progress,
  );
  conns = opened.conns;
  try {
    for (let i = 0; i < sc.members; i++) idle.push(i);
    await sleep(200);
    running = true;
    pump();
    progress(`churning, ${o.warmup} s warm-up + ${o.duration} s measured`);
    await watch(o.warmup * 1000, () => acked, 'warm-up');
    const a = snapshot(server, meter, { acked });
    meter.measuring = true;
    await watch(o.duration * 1000, () => acked, 'measurement');
    meter.measuring = false;
    const b = snapshot(server, meter, { acked });
    running = false;
    const drainEnd = performance.now() + 3000;
    while (inflight > 0 && performance.now() < drainEnd) await sleep(20);
    const dt = (b.t - a.t) / 1000;
    return {
      ops: (b.acked - a.acked) / dt,
      delivered: (b.delivered - a.delivered) / dt,
      ...latencySummary(meter),
      setup: sc.members / opened.seconds,
      serverCpu: ((b.srv - a.srv) / dt) * 100,
      clientCpu: ((b.cli - a.cli) / dt) * 100,
      errors: meter.errors,
      lastError: meter.lastError,
    };
  } finally {
    running = false;
    closeAll(conns);
  }
}
