import { join } from 'node:path';
import * as Ably from 'ably';
import { subscribe, startPublisher } from '../chaos/clients.js';
import { createRandom } from '../chaos/random.js';
import { checkSubscriber, createPublishLedger, type SubscriberReport } from '../chaos/tally.js';
import { spawnSwitchboard, type MemorySample } from '../server-process.js';
import { churnOnce, type ChurnCounts } from './churn.js';
import { memoryTrend, type MemoryTrend, type TimedSample } from './memory-trend.js';
import { slowConsumerRound } from './slow-consumer.js';

/** How a soak is shaped; every field has a default. */
export interface SoakOptions {
  /** Length of the load phase (default 1). */
  minutes?: number;
  /** Readings before this are warm-up: caches, pools and retention windows filling (default
   * 5 min, or a fifth of a shorter run). */
  warmupMinutes?: number;
  /** Memory is judged only with at least this much steady running after warm-up (default 5). */
  minJudgedMinutes?: number;
  /** Memory reading interval (default 60 s, or a sixth of a shorter run). */
  sampleEverySeconds?: number;
  seed?: number;
  /** Steady publisher's pace, messages/s (default 20). */
  publishRate?: number;
  /** Short-lived connections opened per second (default 4). */
  churnPerSecond?: number;
  /** Long-lived presence members entering and leaving (default 6). */
  members?: number;
  /** Lifetime of the renewing subscribers' tokens (default 10 s; the server asks for renewal
   * 5 s before expiry, and a second subscriber's tokens, 4 s, simply expire). */
  tokenTtlSeconds?: number;
  /** Pause between slow-consumer rounds (default 20 s). */
  slowConsumerPauseSeconds?: number;
  /** Write heap snapshots of the server here at the end of warm-up and at the end. */
  heapSnapshotDir?: string;
  /** Called after each memory reading. */
  onSample?: (sample: TimedSample, progress: SoakProgress) => void;
}

/** Counters as the run goes on. */
export interface SoakProgress {
  elapsedMs: number;
  acked: number;
  delivered: Record<string, number>;
  churn: ChurnCounts;
  presenceOps: number;
  tokenRenewals: number;
  slowConsumersCut: number;
  errors: number;
}

/** What a soak found; `violations` is empty when nothing went wrong. */
export interface SoakReport {
  seed: number;
  elapsedMs: number;
  samples: TimedSample[];
  memory: MemoryTrend;
  progress: SoakProgress;
  subscribers: SubscriberReport[];
  presence: { expected: string[]; seen: string[]; converged: boolean };
  /** Unexpected errors seen by clients, a bounded sample. */
  errors: string[];
  server: {
    alive: boolean;
    exit?: string;
    logged: { warn: number; error: number; fatal: number };
    problems: string[];
  };
  violations: string[];
}

const STEADY = 'soak:steady';
const PRESENCE = 'soak:presence';
const FIREHOSE = 'soak:firehose';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Log lines the server is expected to write under this load (slow consumers are cut). */
const EXPECTED_WARNINGS = [/slow consumer|outbound|80003/i];

/**
 * Runs a server as a child process under steady publishing, connection churn, presence churn,
 * token renewals and slow consumers, reads its memory at intervals, and then checks that the
 * steady subscribers got every ACKed message once and in order, that presence converged, that
 * nothing failed that should not, and that memory stayed flat after warm-up.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const minutes = options.minutes ?? 1;
  const durationMs = minutes * 60_000;
  const warmupMs = (options.warmupMinutes ?? Math.min(5, minutes / 5)) * 60_000;
  const sampleMs =
    (options.sampleEverySeconds ?? Math.min(60, Math.max(2, (minutes * 60) / 6))) * 1000;
  const seed = options.seed ?? Date.now() % 1_000_000;
  const random = createRandom(seed);
  const tokenTtlMs = (options.tokenTtlSeconds ?? 10) * 1000;
  const started = Date.now();

  const server = await spawnSwitchboard({
    limits: {
      // Cut slow consumers after 256 KB rather than 16 MB, so a round takes seconds.
      maxOutboundBufferBytes: 256 * 1024,
      // Ask for renewal 5 s before expiry, so 10 s tokens are renewed in band (RTN22) and 4 s
      // ones expire and are renewed on reconnect (RTN15h).
      tokenRenewLeadMs: 5000,
      // The firehose's 12 MB per round must leave memory soon, or the readings would swing with
      // the rounds rather than show a trend.
      historyMinAgeMs: 10_000,
      // Members of dropped connections leave after 5 s, so presence settles quickly at the end.
      presenceGraceMs: 5000,
    },
  });
  const errors: string[] = [];
  let errorCount = 0;
  const onError = (what: string): void => {
    errorCount++;
    if (errors.length < 50) errors.push(`${((Date.now() - started) / 1000).toFixed(0)}s ${what}`);
  };
  const connectOptions = (format: 'msgpack' | 'json'): Ably.ClientOptions => ({
    endpoint: '127.0.0.1',
    port: server.port,
    tls: false,
    useBinaryProtocol: format === 'msgpack',
    disableConnectivityCheck: true,
    logLevel: 0,
  });
  const backend = new Ably.Rest({ ...connectOptions('json'), key: server.key });
  const clients: { name: string; realtime: Ably.Realtime }[] = [];
  let tokenRenewals = 0;
  const longLived = (name: string, format: 'msgpack' | 'json', extra: Ably.ClientOptions) => {
    const realtime = new Ably.Realtime({ ...connectOptions(format), ...extra });
    // Long-lived clients must never give up: a failed or suspended connection is an error.
    realtime.connection.on((change) => {
      if (change.current === 'failed' || change.current === 'suspended')
        onError(`${name} ${change.current}: ${change.reason?.code} ${change.reason?.message}`);
    });
    clients.push({ name, realtime });
    return realtime;
  };
  const tokenClient = (ttl: number, clientId: string): Ably.ClientOptions => ({
    authCallback: (_params, callback) => {
      tokenRenewals++;
      backend.auth.createTokenRequest({ clientId, ttl }).then(
        (req) => callback(null, req),
        (err: Ably.ErrorInfo) => callback(err, null),
      );
    },
  });

  const ledger = createPublishLedger();
  const churnCounts: ChurnCounts = { opened: 0, closed: 0, dropped: 0, presenceEntered: 0 };
  let presenceOps = 0;
  let slowConsumersCut = 0;
  const samples: TimedSample[] = [];
  const progress = (): SoakProgress => ({
    elapsedMs: Date.now() - started,
    acked: ledger.acked.size,
    delivered: Object.fromEntries(subscribers.map((s) => [s.name, new Set(s.delivery.ids).size])),
    churn: { ...churnCounts },
    presenceOps,
    tokenRenewals,
    slowConsumersCut,
    errors: errorCount,
  });
  const subscribers: {
    name: string;
    format: 'msgpack' | 'json';
    delivery: Awaited<ReturnType<typeof subscribe>>;
  }[] = [];
  let stopping = false;
  const running: Promise<void>[] = [];

  try {
    for (const [name, format, extra] of [
      ['sub-msgpack-key', 'msgpack', { key: server.key }],
      ['sub-json-token', 'json', tokenClient(tokenTtlMs, 'sub-json-token')],
      ['sub-msgpack-expiring', 'msgpack', tokenClient(4000, 'sub-msgpack-expiring')],
    ] as const) {
      const rt = longLived(name, format, extra);
      subscribers.push({ name, format, delivery: await subscribe(rt.channels.get(STEADY)) });
    }
    const observer = longLived('presence-observer', 'json', { key: server.key });
    await observer.channels.get(PRESENCE).attach();

    const pubChannel = longLived('publisher', 'msgpack', { key: server.key }).channels.get(STEADY);
    const publisher = startPublisher('steady', 'realtime', options.publishRate ?? 20, ledger, (m) =>
      pubChannel.publish(m),
    );

    // Presence churn: long-lived members entering and leaving; with no faults every operation
    // must succeed.
    const wishes = new Map<string, boolean>();
    for (let i = 0; i < (options.members ?? 6); i++) {
      const clientId = `member-${i}`;
      const presence = longLived(clientId, i % 2 ? 'json' : 'msgpack', {
        key: server.key,
        clientId,
      }).channels.get(PRESENCE).presence;
      wishes.set(clientId, false);
      running.push(
        (async () => {
          while (!stopping) {
            const enter = !wishes.get(clientId);
            try {
              await (enter ? presence.enter('here') : presence.leave());
              wishes.set(clientId, enter);
              presenceOps++;
            } catch (err) {
              onError(`${clientId} ${enter ? 'enter' : 'leave'}: ${(err as Ably.ErrorInfo).code}`);
            }
            await sleep(random.int(200, 2000));
          }
        })(),
      );
    }

    // Connection churn at a steady pace, capped so a slow machine does not pile them up.
    const churning = new Set<Promise<void>>();
    let churned = 0;
    const churnTarget = {
      port: server.port,
      key: server.key,
      options: connectOptions,
      presenceChannel: PRESENCE,
      random,
      onError,
    };
    running.push(
      (async () => {
        const gap = 1000 / (options.churnPerSecond ?? 4);
        while (!stopping) {
          if (churning.size < 100) {
            const p = churnOnce(churnTarget, churned++, churnCounts);
            churning.add(p);
            void p.finally(() => churning.delete(p));
          }
          await sleep(gap * (0.5 + random.next()));
        }
        await Promise.all([...churning]);
      })(),
    );

    // Slow consumers, one round at a time; memory is read between rounds, when the firehose's
    // retained messages are the same from one reading to the next.
    let round: Promise<void> = Promise.resolve();
    running.push(
      (async () => {
        while (!stopping) {
          round = slowConsumerRound(server.port, server.key, backend, FIREHOSE).then(
            (outcome) => {
              if (outcome.cut) slowConsumersCut++;
              else onError(`slow consumer not cut: ${outcome.why}`);
            },
            (err: unknown) => onError(`slow consumer: ${(err as Error).message}`),
          );
          await round;
          await sleep((options.slowConsumerPauseSeconds ?? 20) * 1000);
        }
      })(),
    );

    const read = async (after = false): Promise<void> => {
      await round;
      const atMs = Date.now() - started;
      const m: MemorySample = await server.memory();
      const phase = after ? 'after' : atMs < warmupMs ? 'warm-up' : 'steady';
      const sample: TimedSample = { ...m, atMs, phase };
      samples.push(sample);
      options.onSample?.(sample, progress());
      const dir = options.heapSnapshotDir;
      const firstSteady =
        phase === 'steady' && !samples.slice(0, -1).some((x) => x.phase === 'steady');
      if (dir && (firstSteady || after))
        await server.heapSnapshot(join(dir, `soak-${seed}-${after ? 'end' : 'warm'}.heapsnapshot`));
    };
    await read();
    const end = started + durationMs;
    while (Date.now() < end && server.alive()) {
      await sleep(Math.min(sampleMs, end - Date.now()));
      if (server.alive()) await read();
    }

    stopping = true;
    await publisher.stop();
    await Promise.all(running);
    // Quiescence: every subscriber holds every ACKed message, presence matches the wishes.
    const deadline = Date.now() + 30_000;
    while (
      Date.now() < deadline &&
      !subscribers.every((s) => new Set(s.delivery.ids).size >= ledger.acked.size)
    )
      await sleep(100);
    const expected = [...wishes]
      .filter(([, present]) => present)
      .map(([id]) => id)
      .sort();
    let seen: string[] = [];
    while (Date.now() < deadline) {
      const got = await observer.channels
        .get(PRESENCE)
        .presence.get()
        .catch(() => []);
      seen = got.map((m) => m.clientId).sort();
      if (seen.join() === expected.join()) break;
      await sleep(250);
    }
    if (server.alive()) await read(true).catch(() => {});

    const report: SoakReport = {
      seed,
      elapsedMs: Date.now() - started,
      samples,
      memory: memoryTrend(samples, (options.minJudgedMinutes ?? 5) * 60_000),
      progress: progress(),
      subscribers: subscribers.map((s) => checkSubscriber(s.name, s.format, s.delivery, ledger)),
      presence: { expected, seen, converged: seen.join() === expected.join() },
      errors,
      server: {
        alive: server.alive(),
        logged: server.counts(),
        problems: server.problems().map((p) => `${p.level}: ${p.msg}`),
      },
      violations: [],
    };
    if (!report.server.alive) {
      const exit = await server.exited;
      report.server.exit = `exit ${exit.code ?? exit.signal}: ${server.tail().slice(-2000)}`;
    }
    report.violations = violations(report, ledger.counts);
    return report;
  } finally {
    stopping = true;
    for (const c of clients) c.realtime.close();
    await server.close();
  }
}

/** Everything in a report that breaks a promise the server makes. */
function violations(
  report: SoakReport,
  counts: Map<string, { attempted: number; acked: number; failed: Record<string, number> }>,
): string[] {
  const out: string[] = [];
  if (!report.server.alive) out.push(`the server died: ${report.server.exit}`);
  for (const s of report.subscribers) {
    if (s.missing > 0)
      out.push(`${s.name}: ${s.missing} ACKed messages missing (${s.missingSample.join(', ')})`);
    if (s.duplicated > 0) out.push(`${s.name}: ${s.duplicated} duplicates`);
    if (s.outOfOrder > 0) out.push(`${s.name}: ${s.outOfOrder} out of order`);
    if (s.discontinuities > 0) out.push(`${s.name}: ${s.discontinuities} reported discontinuities`);
  }
  for (const [kind, c] of counts) {
    const failed = Object.entries(c.failed);
    if (failed.length > 0)
      out.push(`${kind} publishes failed: ${failed.map(([k, n]) => `${k}×${n}`).join(' ')}`);
  }
  if (report.progress.errors > 0)
    out.push(`${report.progress.errors} client errors (${report.errors.slice(0, 3).join('; ')})`);
  const logged = report.server.logged;
  const unexpected = report.server.problems.filter(
    (p) => !p.startsWith('warn') || !EXPECTED_WARNINGS.some((re) => re.test(p)),
  );
  if (logged.error + logged.fatal > 0 || unexpected.length > 0)
    out.push(`server logged: ${unexpected.slice(0, 3).join('; ')}`);
  if (!report.presence.converged)
    out.push(
      `presence [${report.presence.seen.join(',')}] ≠ [${report.presence.expected.join(',')}]`,
    );
  if (report.progress.slowConsumersCut === 0) out.push('no slow consumer was cut');
  const m = report.memory;
  if (m.judged && m.rssGrowth! >= 0.1)
    out.push(`RSS grew ${(m.rssGrowth! * 100).toFixed(1)}% after warm-up`);
  if (m.judged && m.heapGrowth! >= 0.1)
    out.push(`heap grew ${(m.heapGrowth! * 100).toFixed(1)}% after warm-up`);
  return out;
}
