import * as Ably from 'ably';
import { startTestServer } from '../test-server.js';
import {
  startMember,
  startPublisher,
  subscribe,
  trackClient,
  type ChaosClient,
  type Format,
} from './clients.js';
import { FAULT_KINDS, startFaultProxy, type FaultKind } from './fault-proxy.js';
import { createRandom } from './random.js';
import {
  checkSubscriber,
  createPublishLedger,
  type Delivery,
  type PublishCounts,
  type SubscriberReport,
} from './tally.js';

/** How a chaos run is shaped; every field has a default. */
export interface ChaosOptions {
  /** Faults to inject in total (default 100). */
  cuts?: number;
  /** Faults per second; the run lasts cuts / cutsPerSecond (default 10). */
  cutsPerSecond?: number;
  /** Seed of every random choice (default: from the clock). */
  seed?: number;
  /** The server's maxInboundRate, messages/s per connection (default 40). */
  maxInboundRate?: number;
  /** Some realtime publishers go at 3× maxInboundRate, so part of their publishes are NACKed
   * with 42910 (default true); otherwise every publisher stays under it. */
  overRate?: boolean;
  /** Presence members entering and leaving (default 4). */
  members?: number;
  /** Longest wait for quiescence after the faults stop (default 20 s). */
  settleMs?: number;
  /** Called about once a second with the run so far. */
  onProgress?: (progress: ChaosProgress) => void;
}

/** A snapshot while the run goes on. */
export interface ChaosProgress {
  phase: 'chaos' | 'settling';
  elapsedMs: number;
  faults: number;
  acked: number;
  failed: number;
  delivered: Record<string, number>;
}

/** What a chaos run found; `violations` is empty when nothing went wrong. */
export interface ChaosReport {
  seed: number;
  elapsedMs: number;
  /** Where the time went: the faults, then until every ACKed message was delivered (or the
   * settle deadline), then until presence converged (members of connections that failed to
   * resume linger for presenceGraceMs, 15 s, as Ably's do). */
  timings: { chaosMs: number; deliveredMs: number; presenceMs: number };
  faults: Record<FaultKind, number> & { total: number };
  publishes: Record<string, PublishCounts>;
  acked: number;
  subscribers: SubscriberReport[];
  presence: { expected: string[]; seen: { name: string; members: string[]; converged: boolean }[] };
  /** Each client's end state and how many times it got a new connection (a failed resume). */
  clients: { name: string; state: string; connectionId: string; newConnections: number }[];
  violations: string[];
}

const MESSAGES = 'chaos:messages';
const PRESENCE = 'chaos:presence';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `ok` until it holds or `deadline` (epoch ms) passes; returns whether it held. */
export async function until(
  ok: () => boolean | Promise<boolean>,
  deadline: number,
): Promise<boolean> {
  for (;;) {
    if (await ok()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/**
 * Runs a server behind a fault-injecting proxy with realtime and REST publishers, subscribers in
 * both wire formats and presence members, then checks that every ACKed message reached every
 * subscriber exactly once and in order, that presence converged, and that every client recovered.
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const cuts = options.cuts ?? 100;
  const cutsPerSecond = options.cutsPerSecond ?? 10;
  const seed = options.seed ?? Date.now() % 1_000_000;
  const limit = options.maxInboundRate ?? 40;
  const overRate = options.overRate ?? true;
  const settleMs = options.settleMs ?? 20_000;
  const random = createRandom(seed);
  const started = Date.now();

  // Under the limit means never hitting it: queued publishes leave in a burst after each
  // reconnect, so the server gets ample headroom rather than publishers a slower pace.
  const server = await startTestServer({
    limits: { maxInboundRate: overRate ? limit : limit * 20 },
  });
  const proxy = await startFaultProxy(server.port, random);
  const clients: ChaosClient[] = [];
  const realtime = (
    name: string,
    format: Format,
    extra: Ably.ClientOptions = {},
  ): Ably.Realtime => {
    const client = new Ably.Realtime({
      ...server.clientOptions(format),
      port: proxy.port,
      key: server.key,
      logLevel: 0,
      // Retry soon after a failed reconnect, so clients spend the run connected and exposed.
      disconnectedRetryTimeout: 500,
      suspendedRetryTimeout: 1000,
      ...extra,
    });
    clients.push(trackClient(name, client));
    return client;
  };
  const ledger = createPublishLedger();
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  let faultCount = 0;
  const subscribers: { name: string; format: Format; delivery: Delivery }[] = [];

  try {
    for (const format of ['msgpack', 'json'] as const) {
      const name = `sub-${format}`;
      const delivery = await subscribe(realtime(name, format).channels.get(MESSAGES));
      subscribers.push({ name, format, delivery });
      await clients.at(-1)!.realtime.channels.get(PRESENCE).attach();
    }

    const publishers = [
      ...(['msgpack', 'json'] as const).flatMap((format) => [
        {
          name: `fast-${format}`,
          kind: 'realtime-fast',
          rate: overRate ? limit * 3 : limit * 0.8,
          format,
        },
        { name: `slow-${format}`, kind: 'realtime-slow', rate: limit / 2, format },
      ]),
    ].map((p) => {
      const channel = realtime(p.name, p.format).channels.get(MESSAGES);
      return startPublisher(p.name, p.kind, p.rate, ledger, (m) => channel.publish(m));
    });
    // REST goes straight to the server: its publishes are only idempotent, never cut.
    const rest = new Ably.Rest({ ...server.clientOptions('json'), key: server.key, logLevel: 0 });
    const restChannel = rest.channels.get(MESSAGES);
    publishers.push(
      startPublisher('rest', 'rest', limit, ledger, (m) => restChannel.publish(m), true),
    );
    const members = Array.from({ length: options.members ?? 4 }, (_, i) => ({
      clientId: `member-${i}`,
      member: startMember(
        realtime(`member-${i}`, i % 2 ? 'json' : 'msgpack', { clientId: `member-${i}` }),
        PRESENCE,
        random,
      ),
    }));

    const progress = (phase: ChaosProgress['phase']): void => {
      let failed = 0;
      for (const c of ledger.counts.values()) for (const n of Object.values(c.failed)) failed += n;
      options.onProgress?.({
        phase,
        elapsedMs: Date.now() - started,
        faults: faultCount,
        acked: ledger.acked.size,
        failed,
        delivered: Object.fromEntries(subscribers.map((s) => [s.name, s.delivery.ids.length])),
      });
    };
    const ticker = setInterval(() => progress(faultCount < cuts ? 'chaos' : 'settling'), 1000);

    // Faults at a steady pace; when every socket is already broken, wait for one to come back.
    const gap = 1000 / cutsPerSecond;
    const chaosEnd = started + (cuts / cutsPerSecond) * 3000;
    while (faultCount < cuts && Date.now() < chaosEnd) {
      await sleep(gap * (0.5 + random.next()));
      const kind = proxy.injectFault();
      if (kind) {
        faults[kind]++;
        faultCount++;
      }
    }

    const chaosDoneAt = Date.now();
    for (const m of members) m.member.stop();
    // Faults already injected still land (black holes drop late): let them, so the settle phase
    // below really is quiet and presence is judged on the members' last wishes alone.
    await proxy.quiet();
    const deadline = Date.now() + settleMs;
    await Promise.all(publishers.map((p) => p.stop()));
    const expected = (
      await Promise.all(
        members.map(async (m) => ((await m.member.settle(deadline)) ? m.clientId : '')),
      )
    )
      .filter(Boolean)
      .sort();
    progress('settling');

    // Quiescence: every client back, every subscriber holding every ACKed message.
    await until(() => clients.every((c) => c.realtime.connection.state === 'connected'), deadline);
    await until(
      () => subscribers.every((s) => new Set(s.delivery.ids).size >= ledger.acked.size),
      deadline,
    );
    const deliveredAt = Date.now();
    await sleep(500);
    const seen = [];
    for (const s of subscribers) {
      const presence = clients
        .find((c) => c.name === s.name)!
        .realtime.channels.get(PRESENCE).presence;
      let members: string[] = [];
      let detail: string[] = [];
      const same = (): boolean => members.join() === expected.join();
      const converged = await until(
        async () => {
          const got = await presence.get().catch(() => []);
          members = got.map((m) => m.clientId).sort();
          detail = got.map((m) => `${m.clientId}@${m.connectionId}`).sort();
          return same();
        },
        Math.max(deadline, Date.now() + 2000),
      );
      seen.push({ name: s.name, members: converged ? members : detail, converged });
    }
    clearInterval(ticker);
    const convergedAt = Date.now();

    const report: ChaosReport = {
      seed,
      elapsedMs: Date.now() - started,
      timings: {
        chaosMs: chaosDoneAt - started,
        deliveredMs: deliveredAt - chaosDoneAt,
        presenceMs: convergedAt - deliveredAt,
      },
      faults: { ...faults, total: faultCount },
      publishes: Object.fromEntries(ledger.counts),
      acked: ledger.acked.size,
      subscribers: subscribers.map((s) => checkSubscriber(s.name, s.format, s.delivery, ledger)),
      presence: { expected, seen },
      clients: clients.map((c) => ({
        name: c.name,
        state: c.realtime.connection.state,
        connectionId: c.realtime.connection.id ?? '',
        newConnections: c.newConnections,
      })),
      violations: [],
    };
    report.violations = violations(report);
    return report;
  } finally {
    for (const c of clients) c.realtime.close();
    await proxy.close();
    await server.close();
  }
}

/** Everything in a report that breaks a promise the server makes. */
export function violations(
  report: Pick<ChaosReport, 'subscribers' | 'presence' | 'clients'>,
): string[] {
  const out: string[] = [];
  for (const s of report.subscribers) {
    if (s.missing > 0)
      out.push(`${s.name}: ${s.missing} ACKed messages missing (${s.missingSample.join(', ')})`);
    if (s.duplicated > 0) out.push(`${s.name}: ${s.duplicated} duplicates`);
    if (s.outOfOrder > 0) out.push(`${s.name}: ${s.outOfOrder} out of order`);
    if (s.deliveredNacked > 0)
      out.push(`${s.name}: ${s.deliveredNacked} NACKed messages delivered`);
    if (s.discontinuities > 0) out.push(`${s.name}: ${s.discontinuities} reported discontinuities`);
  }
  for (const p of report.presence.seen)
    if (!p.converged)
      out.push(
        `${p.name}: presence ${p.members.join(',')} ≠ ${report.presence.expected.join(',')}`,
      );
  for (const c of report.clients)
    if (c.state !== 'connected') out.push(`${c.name} ended ${c.state}`);
  return out;
}
