import * as Ably from 'ably';
import { startPublisher, subscribe } from '../chaos/clients.js';
import { createRandom, type Random } from '../chaos/random.js';
import { checkSubscriber, createPublishLedger, type SubscriberReport } from '../chaos/tally.js';
import { rawClient, type RawClient } from '../raw-client.js';
import { spawnSwitchboard, type MemorySample, type SwitchboardProcess } from '../server-process.js';
import { fuzzFrame } from './frames.js';
import { createHttpFuzzer } from './http-requests.js';
import { rawExchange } from './raw-exchange.js';
import { createRestFuzzer } from './rest-requests.js';

/** How a fuzz run is shaped; every field has a default. */
export interface FuzzOptions {
  /** Inputs to send in total, all kinds together (default 100,000). */
  frames?: number;
  seed?: number;
  /** Concurrent raw WebSocket fuzzers (default 4, half JSON, half msgpack). */
  sockets?: number;
  /** Pace of the official-client publisher running alongside, messages/s (default 20). */
  publishRate?: number;
  /** Wait after the last input before the final memory reading, so retention windows (5 s
   * here) turn over (default 6 s). */
  settleMs?: number;
  /** Called about once a second. */
  onProgress?: (progress: FuzzProgress) => void;
  /** Called at once with each finding. */
  onFinding?: (finding: FuzzFinding) => void;
}

/** Counters as the run goes on. */
export interface FuzzProgress {
  elapsedMs: number;
  sent: Record<string, number>;
  total: number;
  connections: number;
  findings: number;
  goodAcked: number;
  goodDelivered: number;
  memory?: MemorySample;
}

/** An input that made the server answer with an internal error, log one, or die. */
export interface FuzzFinding {
  kind: string;
  /** What gave it away: the answer, the log line, or the exit. */
  evidence: string;
  /** The inputs sent just before (for a socket: the batch since the last answered barrier). */
  inputs: string[];
}

/** A memory reading during the run, with how far it had got. */
export interface FuzzMemorySample extends MemorySample {
  atMs: number;
  total: number;
}

/** What a fuzz run found; `violations` is empty when nothing went wrong. */
export interface FuzzReport {
  seed: number;
  elapsedMs: number;
  sent: Record<string, number>;
  total: number;
  connections: number;
  /** Errors the server answered with, by code; REST statuses as `http <status>`. */
  answers: Record<string, number>;
  findings: FuzzFinding[];
  server: {
    alive: boolean;
    exit?: string;
    logged: { warn: number; error: number; fatal: number };
    problems: string[];
  };
  memory: {
    start?: FuzzMemorySample;
    /** The reading nearest halfway, and after the last input once the server went quiet. */
    half?: FuzzMemorySample;
    end?: FuzzMemorySample;
    peakRss: number;
    peakHeap: number;
    bounded: boolean;
  };
  good: { acked: number; failed: Record<string, number>; subscriber?: SubscriberReport };
  violations: string[];
}

const GOOD = 'good:stream';
const MB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const isInternal = (code: unknown): boolean =>
  typeof code === 'number' && code >= 50000 && code < 60000;

/**
 * Sends mutated ProtocolMessages over raw WebSockets (JSON and msgpack), hostile REST bodies and
 * query strings, and hostile raw HTTP requests to a server in a child process, while an official
 * publisher and subscriber run beside them; then checks that the server stayed up and never
 * answered or logged an internal error, that the good pair lost nothing, and that memory after
 * the run is near what it was halfway.
 */
export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const target = options.frames ?? 100_000;
  const seed = options.seed ?? Date.now() % 1_000_000;
  const started = Date.now();
  const server = await spawnSwitchboard({
    limits: {
      // Past the rate limits, most inputs would be refused before anything parsed them.
      maxInboundRate: 1_000_000,
      maxControlRate: 1_000_000,
      maxControlBurst: 1_000_000,
      // Retention that fills in seconds, so memory halfway and at the end compare like with like.
      historyMinAgeMs: 5000,
      idempotencyWindowMs: 10_000,
    },
  });
  const sent: Record<string, number> = {};
  let total = 0;
  let connections = 0;
  const answers: Record<string, number> = {};
  const findings: FuzzFinding[] = [];
  const samples: FuzzMemorySample[] = [];
  let lastLoggedErrors = 0;
  const count = (kind: string): void => {
    sent[kind] = (sent[kind] ?? 0) + 1;
    total++;
  };
  const answer = (key: string): void => void (answers[key] = (answers[key] ?? 0) + 1);
  const find = (kind: string, evidence: string, inputs: string[]): void => {
    const finding = { kind, evidence, inputs: inputs.slice(-12) };
    if (findings.length < 100) findings.push(finding);
    options.onFinding?.(finding);
  };
  // A new error line in the server's log is pinned on the inputs just sent by whoever looks.
  const checkLog = (kind: string, inputs: string[]): void => {
    const { error, fatal } = server.counts();
    if (error + fatal > lastLoggedErrors) {
      lastLoggedErrors = error + fatal;
      find(kind, `logged: ${server.errors().at(-1)?.msg ?? '?'}`, inputs);
    }
  };
  const more = (): boolean => total < target && server.alive();

  const clientOptions = (format: 'json' | 'msgpack'): Ably.ClientOptions => ({
    endpoint: '127.0.0.1',
    port: server.port,
    tls: false,
    useBinaryProtocol: format === 'msgpack',
    disableConnectivityCheck: true,
    logLevel: 0,
    key: server.key,
  });
  const goodPub = new Ably.Realtime(clientOptions('msgpack'));
  const goodSub = new Ably.Realtime(clientOptions('json'));
  const ledger = createPublishLedger();
  let subscriber: SubscriberReport | undefined;

  try {
    const delivery = await subscribe(goodSub.channels.get(GOOD));
    const pubChannel = goodPub.channels.get(GOOD);
    await pubChannel.attach();
    const publisher = startPublisher('good', 'good', options.publishRate ?? 20, ledger, (m) =>
      pubChannel.publish(m),
    );
    const read = async (): Promise<void> => {
      if (!server.alive()) return;
      const m = await server.memory().catch(() => undefined);
      if (m) samples.push({ ...m, atMs: Date.now() - started, total });
    };
    await read();
    let reading = true;
    const reader = (async () => {
      while (reading && server.alive()) {
        await sleep(5000);
        if (reading) await read();
      }
    })();
    const ticker = setInterval(
      () =>
        options.onProgress?.({
          elapsedMs: Date.now() - started,
          sent: { ...sent },
          total,
          connections,
          findings: findings.length,
          goodAcked: ledger.acked.size,
          goodDelivered: new Set(delivery.ids).size,
          ...(samples.length ? { memory: samples.at(-1)! } : {}),
        }),
      1000,
    );

    const socketWorker = async (format: 'json' | 'msgpack', wr: Random): Promise<void> => {
      let barrier = 0;
      while (more()) {
        let client: RawClient;
        try {
          client = await rawClient(server.port, { key: server.key, format });
          await client.next((pm) => pm.action === 4, 15_000);
        } catch (err) {
          if (server.alive()) find(format, `could not connect: ${(err as Error).message}`, []);
          await sleep(500);
          continue;
        }
        connections++;
        let closed = false;
        void client.closed().then(() => (closed = true));
        for (const channel of ['fuzz:a', 'fuzz:b']) client.send({ action: 10, channel });
        let seen = 0;
        let msgSerial = 0;
        while (more() && !closed) {
          const inputs: string[] = [];
          // Up to 10 frames, ending early after one likely to close the connection: frames
          // behind it would be sent but never read.
          for (let i = 0; i < 10 && more() && !closed; i++) {
            const frame = fuzzFrame(wr, format, wr.pick(['fuzz:a', 'fuzz:b']), msgSerial++);
            inputs.push(`${frame.kind} ${frame.what}`);
            client.sendRaw(frame.data, frame.binary);
            count(frame.kind);
            if (frame.fatal) break;
          }
          // A heartbeat answered means every frame before it was handled.
          const id = `barrier-${barrier++}`;
          client.send({ action: 0, id });
          const answered = await Promise.race([
            client
              .next((pm) => pm.action === 0 && pm.id === id, 60_000)
              .then(
                () => true,
                () => false,
              ),
            client.closed().then(() => false),
          ]);
          for (; seen < client.received.length; seen++) {
            const pm = client.received[seen]!;
            const code = pm.error?.code;
            if (code === undefined) continue;
            answer(String(code));
            if (isInternal(code))
              find(format, `action ${pm.action} error ${code}: ${pm.error?.message}`, inputs);
          }
          checkLog(format, inputs);
          if (!answered && !closed && server.alive())
            find(format, 'no answer to a heartbeat within 60 s', inputs);
          if (!answered) break;
        }
        client.socket.terminate();
      }
    };

    const restWorker = async (): Promise<void> => {
      const rest = createRestFuzzer(createRandom(seed + 1), server.key);
      while (more()) {
        const req = rest.next();
        count(req.kind);
        let status: number | string;
        try {
          const res = await fetch(`http://127.0.0.1:${server.port}${req.path}`, {
            method: req.method,
            headers: req.headers,
            ...(req.body !== undefined
              ? { body: typeof req.body === 'string' ? req.body : new Uint8Array(req.body) }
              : {}),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          status = res.status;
          if (status >= 500) answer(`http ${status} ${text.slice(0, 200)}`);
        } catch (err) {
          // A reset or a timeout is the server's doing; a request fetch would not even send
          // (a URL it refuses) is the fuzzer's, counted but no finding.
          const cause = (err as { cause?: { code?: string } }).cause?.code;
          status = cause ?? (err as Error).name;
        }
        answer(`http ${status}`);
        const serverFault =
          typeof status === 'number'
            ? status >= 500
            : status === 'TimeoutError' || /^(ECONN|UND_ERR_SOCKET|EPIPE)/.test(status);
        if (serverFault) find(req.kind, `status ${status}`, [req.what]);
        checkLog(req.kind, [req.what]);
      }
    };

    const httpWorker = async (): Promise<void> => {
      const r = createRandom(seed + 2);
      const http = createHttpFuzzer(() => r.next(), server.key);
      while (more()) {
        const upgrade = r.next() < 0.25;
        const bytes = upgrade ? http.upgradeRequest() : http.restRequest();
        count(upgrade ? 'raw-upgrade' : 'raw-http');
        const reply = await rawExchange(server.port, bytes, {
          timeoutMs: upgrade ? 400 : 1500,
          closeAfterFirstResponse: upgrade,
        });
        if (reply.status !== undefined) answer(`http ${reply.status}`);
        const line = JSON.stringify(bytes.toString('latin1').slice(0, 160));
        if (reply.status !== undefined && reply.status >= 500)
          find('raw-http', `status ${reply.status}`, [line]);
        checkLog('raw-http', [line]);
      }
    };

    const sockets = options.sockets ?? 4;
    await Promise.all([
      ...Array.from({ length: sockets }, (_, i) =>
        socketWorker(i % 2 ? 'json' : 'msgpack', createRandom(seed + 10 + i)),
      ),
      restWorker(),
      httpWorker(),
    ]);

    await publisher.stop();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && new Set(delivery.ids).size < ledger.acked.size)
      await sleep(100);
    subscriber = checkSubscriber('good-sub', 'json', delivery, ledger);
    reading = false;
    await reader;
    clearInterval(ticker);
    // The last reading once every fuzz connection is gone and retention windows have turned.
    await sleep(options.settleMs ?? 6000);
    await read();
  } finally {
    goodPub.close();
    goodSub.close();
  }

  const report = await finish(server, {
    seed,
    started,
    sent,
    total,
    connections,
    answers,
    findings,
    samples,
    ledger,
    subscriber,
  });
  await server.close();
  return report;
}

/** Builds the report and its verdict. */
async function finish(
  server: SwitchboardProcess,
  r: {
    seed: number;
    started: number;
    sent: Record<string, number>;
    total: number;
    connections: number;
    answers: Record<string, number>;
    findings: FuzzFinding[];
    samples: FuzzMemorySample[];
    ledger: ReturnType<typeof createPublishLedger>;
    subscriber: SubscriberReport | undefined;
  },
): Promise<FuzzReport> {
  const alive = server.alive();
  let exit: string | undefined;
  if (!alive) {
    const e = await server.exited;
    exit = `exit ${e.code ?? e.signal}: ${server.tail().slice(-3000)}`;
    r.findings.push({ kind: 'process', evidence: exit, inputs: [] });
  }
  const s = r.samples;
  const half = s.find((x) => x.total >= r.total / 2) ?? s.at(-1);
  const end = s.at(-1);
  // Bounded: after the run, once retention windows turned over, the heap is within a quarter
  // (or 32 MB) of where it was halfway; a leak proportional to the input fails that.
  const bounded =
    !half || !end || end.heapUsed <= Math.max(half.heapUsed * 1.25, half.heapUsed + 32 * MB);
  const failed: Record<string, number> = {};
  for (const c of r.ledger.counts.values())
    for (const [code, n] of Object.entries(c.failed)) failed[code] = (failed[code] ?? 0) + n;
  const report: FuzzReport = {
    seed: r.seed,
    elapsedMs: Date.now() - r.started,
    sent: r.sent,
    total: r.total,
    connections: r.connections,
    answers: r.answers,
    findings: r.findings,
    server: {
      alive,
      ...(exit ? { exit } : {}),
      logged: server.counts(),
      problems: server.problems().map((p) => `${p.level}: ${p.msg}`),
    },
    memory: {
      ...(s[0] ? { start: s[0] } : {}),
      ...(half ? { half } : {}),
      ...(end ? { end } : {}),
      peakRss: Math.max(0, ...s.map((x) => x.rss)),
      peakHeap: Math.max(0, ...s.map((x) => x.heapUsed)),
      bounded,
    },
    good: {
      acked: r.ledger.acked.size,
      failed,
      ...(r.subscriber ? { subscriber: r.subscriber } : {}),
    },
    violations: [],
  };
  const v = report.violations;
  if (!alive) v.push(`the server died: ${exit?.slice(0, 300)}`);
  if (r.findings.length > 0) v.push(`${r.findings.length} findings`);
  const logged = report.server.logged;
  if (logged.error + logged.fatal > 0)
    v.push(`server logged ${logged.error + logged.fatal} errors`);
  const sub = r.subscriber;
  if (!sub) v.push('the good subscriber was not checked');
  else {
    if (sub.missing > 0) v.push(`good subscriber: ${sub.missing} ACKed messages missing`);
    if (sub.duplicated > 0) v.push(`good subscriber: ${sub.duplicated} duplicates`);
    if (sub.outOfOrder > 0) v.push(`good subscriber: ${sub.outOfOrder} out of order`);
    if (sub.discontinuities > 0) v.push(`good subscriber: ${sub.discontinuities} discontinuities`);
  }
  if (Object.keys(failed).length > 0) v.push(`good publishes failed: ${JSON.stringify(failed)}`);
  if (report.good.acked === 0) v.push('the good publisher got nothing ACKed');
  if (!bounded)
    v.push(
      `heap ${(end!.heapUsed / MB).toFixed(0)} MB after the run against ` +
        `${(half!.heapUsed / MB).toFixed(0)} MB halfway`,
    );
  return report;
}
