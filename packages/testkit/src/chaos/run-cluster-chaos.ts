import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Ably from 'ably';
import { postgresTestSchema, type PostgresTestSchema } from '../postgres.js';
import { startRedisProcess, type RedisProcess } from '../redis-server.js';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.js';
import {
  startMember,
  startPublisher,
  subscribe,
  trackClient,
  type ChaosClient,
  type Format,
} from './clients.js';
import { startClusterNode, type ClusterNode } from './cluster-node.js';
import { createRandom } from './random.js';
import { until, violations } from './run-chaos.js';
import {
  checkSubscriber,
  createPublishLedger,
  type Delivery,
  type PublishCounts,
  type SubscriberReport,
} from './tally.js';

/** What the cluster run does to the nodes, the clients and Redis. */
export const CLUSTER_FAULT_KINDS = [
  /** SIGKILL a node, start it again under the same node id. */
  'kill',
  /** SIGKILL a node, start a new one under a new node id (the old one never comes back). */
  'kill-new-id',
  /** SIGTERM a node (a graceful drain, as a deploy does), start it again. */
  'drain',
  /** Drop one client's socket. */
  'cut',
  /** Move one client to another node (its socket dropped, the next one goes elsewhere). */
  'retarget',
  /** Restart the run's own redis-server, down for 0.5 to 3 s. */
  'redis-restart',
] as const;
export type ClusterFaultKind = (typeof CLUSTER_FAULT_KINDS)[number];

/** Relative odds of each fault; a fault that cannot happen now (too few nodes up) is a cut. */
const WEIGHTS: Record<ClusterFaultKind, number> = {
  kill: 20,
  'kill-new-id': 10,
  drain: 12,
  cut: 25,
  retarget: 25,
  'redis-restart': 8,
};

/** How a cluster chaos run is shaped; every field has a default. */
export interface ClusterChaosOptions {
  /** Faults in total (default 60); node faults are about 40 % of them. */
  faults?: number;
  /** These faults in this order instead of random ones (`faults` is then their number). */
  schedule?: ClusterFaultKind[];
  /** Pace of the faults (default 1/s). */
  faultsPerSecond?: number;
  seed?: number;
  /** Nodes in the cluster (default 3). */
  nodes?: number;
  /** Store the messages channel in one PostgreSQL schema (a persisted namespace). */
  persisted?: boolean;
  /** Presence members entering and leaving (default 4). */
  members?: number;
  /** Longest wait for quiescence after the faults (default 45 s: a dead node's members take
   * up to 15 s to leave). */
  settleMs?: number;
  onProgress?: (progress: ClusterChaosProgress) => void;
}

/** A snapshot while the run goes on. */
export interface ClusterChaosProgress {
  phase: 'chaos' | 'settling';
  elapsedMs: number;
  faults: Record<ClusterFaultKind, number>;
  /** `a:up b2:down …` */
  nodes: string;
  acked: number;
  failed: number;
  delivered: Record<string, number>;
}

/** What a cluster chaos run found; `violations` is empty when nothing went wrong. */
export interface ClusterChaosReport {
  seed: number;
  elapsedMs: number;
  persisted: boolean;
  timings: { chaosMs: number; deliveredMs: number; presenceMs: number };
  faults: Record<ClusterFaultKind, number> & { total: number; node: number };
  /** Node ids in the order they were started. */
  nodeIds: string[];
  publishes: Record<string, PublishCounts>;
  acked: number;
  subscribers: SubscriberReport[];
  presence: { expected: string[]; seen: { name: string; members: string[]; converged: boolean }[] };
  clients: { name: string; state: string; connectionId: string; newConnections: number }[];
  /** Nodes that exited without being told to, or could not start again. */
  crashes: string[];
  /** What happened when (`12.3s kill a`), to replay a finding by hand. */
  events: string[];
  violations: string[];
}

const APP = 'chaos';
const SECRET = 'cluster-chaos-secret-0123456789';
const MESSAGES = 'chaos:messages';
const PRESENCE = 'chaos:presence';
/** Realtime publishers' pace, messages/s each; the REST publisher waits for each answer. */
const REALTIME_RATE = 30;
const REST_RATE = 20;
/** An attach refused while Redis is down (DETACHED, RTL13b) is tried again this soon; ably-js
 * reads the option though its types do not list it. */
const SOON_CHANNEL_RETRY = { channelRetryTimeout: 1000 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A node's place in the cluster: the process in it comes and goes. */
interface Slot {
  name: string;
  generation: number;
  node: ClusterNode | undefined;
  /** Set while a fault holds the node down, so its exit is not taken for a crash. */
  faulted: boolean;
}

/** A client (or the REST publisher) and the proxy that decides which node it reaches. */
interface Route {
  name: string;
  proxy: TcpProxy;
  slot: Slot;
}

/**
 * Runs a cluster of Switchboard processes on a redis-server of the run's own, each client behind
 * a proxy of its own, kills, drains and restarts nodes, moves and cuts clients and restarts
 * Redis under load, then checks that every ACKed message reached every subscriber exactly once
 * and in order, that presence converged, that every client recovered and that no node crashed.
 */
export async function runClusterChaos(
  options: ClusterChaosOptions = {},
): Promise<ClusterChaosReport> {
  const total = options.schedule?.length ?? options.faults ?? 60;
  const perSecond = options.faultsPerSecond ?? 1;
  const seed = options.seed ?? Date.now() % 1_000_000;
  const settleMs = options.settleMs ?? 45_000;
  const persisted = options.persisted ?? false;
  const random = createRandom(seed);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-chaos-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      apps: [
        {
          id: APP,
          keys: [{ name: 'k', secret: SECRET }],
          ...(persisted ? { namespaces: [{ id: 'chaos', persisted: true }] } : {}),
        },
      ],
      // The resume window must hold what is published while a client is away (seconds).
      limits: { maxInboundRate: 10_000, historyMaxMessages: 20_000, presenceGraceMs: 1000 },
    }),
  );

  let redis: RedisProcess | undefined;
  let db: PostgresTestSchema | undefined;
  const slots: Slot[] = [];
  const routes: Route[] = [];
  const clients: ChaosClient[] = [];
  const crashes: string[] = [];
  const nodeIds: string[] = [];
  const events: string[] = [];
  const event = (what: string): void =>
    void events.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${what}`);
  const background = new Set<Promise<void>>();
  const inBackground = (work: Promise<void>): void => {
    background.add(work);
    void work.finally(() => background.delete(work));
  };
  try {
    redis = await startRedisProcess();
    if (persisted) {
      db = await postgresTestSchema('cluster chaos');
      if (!db) throw new Error('--persisted needs PostgreSQL (see the line above)');
    }
    const env = {
      REDIS_URL: redis.url,
      SWITCHBOARD_REDIS_PREFIX: `chaos:${randomBytes(6).toString('hex')}:`,
      ...(db ? { DATABASE_URL: db.url, SWITCHBOARD_DATABASE_SCHEMA: db.schema } : {}),
    };

    /** Starts the slot's node, retrying while Redis is down; a node that cannot start is a crash. */
    const boot = async (slot: Slot): Promise<void> => {
      const id = slot.generation === 0 ? slot.name : `${slot.name}${slot.generation + 1}`;
      for (let attempt = 1; ; attempt++) {
        try {
          const node = await startClusterNode({
            id,
            config,
            dataDir: join(dir, id),
            env,
          });
          nodeIds.push(id);
          event(`${id} up on port ${node.port}`);
          slot.node = node;
          slot.faulted = false;
          void node.exited.then(({ code, signal }) => {
            if (slot.node === node && !slot.faulted)
              crashes.push(
                `node ${id} exited (${signal ?? code}) unasked: ${node.tail().slice(-1500)}`,
              );
          });
          return;
        } catch (err) {
          if (attempt === 5) {
            crashes.push(`node ${id} could not start: ${(err as Error).message}`);
            return;
          }
          await sleep(1000);
        }
      }
    };
    // The nodes of a shared schema start one at a time: the first creates the tables.
    for (let i = 0; i < (options.nodes ?? 3); i++) {
      const slot: Slot = {
        name: String.fromCharCode(97 + i),
        generation: 0,
        node: undefined,
        faulted: false,
      };
      slots.push(slot);
      await boot(slot);
      if (!slot.node) throw new Error(crashes.join('\n'));
    }
    const up = (): Slot[] => slots.filter((s) => !s.faulted && s.node?.alive());
    const elsewhere = (not: Slot | undefined): Slot | undefined => {
      const others = up().filter((s) => s !== not);
      return others.length === 0 ? undefined : random.pick(others);
    };
    const route = async (name: string, slot: Slot): Promise<Route> => {
      const r = { name, proxy: await startTcpProxy(slot.node!.port), slot };
      routes.push(r);
      return r;
    };
    /** Points every route on `from` at a living node (a load balancer noticing). */
    const moveAway = (from: Slot): void => {
      for (const r of routes.filter((r) => r.slot === from)) {
        const to = elsewhere(from);
        if (!to?.node) continue;
        r.slot = to;
        r.proxy.retarget(to.node.port);
      }
    };
    const options_ = (port: number, format: Format): Ably.ClientOptions => ({
      endpoint: '127.0.0.1',
      port,
      tls: false,
      key: `${APP}.k:${SECRET}`,
      useBinaryProtocol: format === 'msgpack',
      disableConnectivityCheck: true,
      logLevel: 0,
    });
    const realtime = async (
      name: string,
      format: Format,
      slot: Slot,
      extra: Ably.ClientOptions = {},
    ): Promise<Ably.Realtime> => {
      const r = await route(name, slot);
      const client = new Ably.Realtime({
        ...options_(r.proxy.port, format),
        // Retry soon after a failed reconnect, so clients spend the run connected and exposed.
        disconnectedRetryTimeout: 500,
        suspendedRetryTimeout: 1000,
        ...SOON_CHANNEL_RETRY,
        ...extra,
      });
      clients.push(trackClient(name, client));
      return client;
    };
    const slotOf = (i: number): Slot => slots[i % slots.length]!;

    const ledger = createPublishLedger();
    const subscribers: { name: string; format: Format; delivery: Delivery }[] = [];
    for (const [i, format] of (['msgpack', 'json'] as const).entries()) {
      const name = `sub-${format}`;
      const client = await realtime(name, format, slotOf(i));
      for (const channel of [MESSAGES, PRESENCE])
        client.channels.get(channel).on((change) => {
          if (change.current !== 'attached' || !change.resumed || change.reason)
            event(`${name} ${channel} ${change.current} ${change.reason?.code ?? ''}`);
        });
      subscribers.push({ name, format, delivery: await subscribe(client.channels.get(MESSAGES)) });
      await client.channels.get(PRESENCE).attach();
    }
    // Publishers sit on other nodes than the subscribers they are heard by, from the start.
    const publishers = await Promise.all(
      [
        { name: 'pub-msgpack-1', format: 'msgpack', at: 1 },
        { name: 'pub-json-1', format: 'json', at: 2 },
        { name: 'pub-msgpack-2', format: 'msgpack', at: 2 },
        { name: 'pub-json-2', format: 'json', at: 0 },
      ].map(async (p) => {
        const format = p.format as Format;
        const client = await realtime(p.name, format, slotOf(p.at));
        const channel = client.channels.get(MESSAGES);
        return startPublisher(p.name, `realtime-${format}`, REALTIME_RATE, ledger, (m) =>
          channel.publish(m),
        );
      }),
    );
    const restRoute = await route('rest', slotOf(2));
    const rest = new Ably.Rest({
      ...options_(restRoute.proxy.port, 'json'),
      useBinaryProtocol: false,
    });
    const restChannel = rest.channels.get(MESSAGES);
    publishers.push(
      startPublisher('rest', 'rest', REST_RATE, ledger, (m) => restChannel.publish(m), true),
    );
    const members = await Promise.all(
      Array.from({ length: options.members ?? 4 }, async (_, i) => {
        const clientId = `member-${i}`;
        const format = i % 2 ? 'json' : 'msgpack';
        const client = await realtime(clientId, format, slotOf(i), { clientId });
        return { clientId, member: startMember(client, PRESENCE, random) };
      }),
    );

    const faults = Object.fromEntries(CLUSTER_FAULT_KINDS.map((k) => [k, 0])) as Record<
      ClusterFaultKind,
      number
    >;
    let redisDown = false;
    const progress = (phase: ClusterChaosProgress['phase']): void => {
      let failed = 0;
      for (const c of ledger.counts.values()) for (const n of Object.values(c.failed)) failed += n;
      options.onProgress?.({
        phase,
        elapsedMs: Date.now() - started,
        faults: { ...faults },
        nodes:
          slots
            .map((s) => `${s.node?.id ?? s.name}:${s.node?.alive() && !s.faulted ? 'up' : 'down'}`)
            .join(' ') + (redisDown ? ' redis:down' : ''),
        acked: ledger.acked.size,
        failed,
        delivered: Object.fromEntries(subscribers.map((s) => [s.name, s.delivery.ids.length])),
      });
    };
    let faultCount = 0;
    const ticker = setInterval(() => progress(faultCount < total ? 'chaos' : 'settling'), 1000);

    /** Takes a node down with `how`, keeps it down a while, then starts it (or a successor). */
    const nodeFault = async (slot: Slot, kind: ClusterFaultKind): Promise<void> => {
      slot.faulted = true;
      const node = slot.node!;
      event(`${kind} ${node.id}`);
      if (kind === 'drain') {
        // A deploy takes the node out of the balancer first, then drains it.
        moveAway(slot);
        await node.drain();
        const { code } = await node.exited;
        if (code !== 0) crashes.push(`node ${node.id} drain ended with ${code}: ${node.tail()}`);
      } else {
        await node.kill();
        // The balancer notices a dead node a little later: until then reconnects are refused.
        await sleep(random.int(0, 1000));
        moveAway(slot);
        event(`clients moved away from ${node.id}`);
      }
      await sleep(random.int(300, 3000));
      if (kind === 'kill-new-id') slot.generation++;
      await boot(slot);
    };
    const restartRedis = async (): Promise<void> => {
      redisDown = true;
      event('redis down');
      await redis!.restart(random.int(500, 3000));
      redisDown = false;
      event('redis up');
    };
    const pickKind = (): ClusterFaultKind => {
      let r = random.next() * Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
      for (const kind of CLUSTER_FAULT_KINDS) if ((r -= WEIGHTS[kind]) < 0) return kind;
      return 'cut';
    };

    const gap = 1000 / perSecond;
    while (faultCount < total) {
      await sleep(gap * (0.5 + random.next()));
      let kind = options.schedule?.[faultCount] ?? pickKind();
      const nodeKind = kind === 'kill' || kind === 'kill-new-id' || kind === 'drain';
      // One node down at a time at most, and Redis restarts do not overlap.
      const possible = (): boolean =>
        !(nodeKind && up().length < slots.length) && !(kind === 'redis-restart' && redisDown);
      // A scheduled fault waits its turn; a random one that cannot happen now becomes a cut.
      if (options.schedule) await until(possible, Date.now() + 60_000);
      else if (!possible()) kind = 'cut';
      const living = routes.filter((r) => !r.slot.faulted && r.slot.node?.alive());
      if (kind !== 'cut' && nodeKind) inBackground(nodeFault(random.pick(up()), kind));
      else if (kind === 'redis-restart') inBackground(restartRedis());
      else if (living.length === 0) continue;
      else {
        const r = random.pick(living);
        const to = kind === 'retarget' ? elsewhere(r.slot) : undefined;
        if (to?.node) {
          r.slot = to;
          r.proxy.retarget(to.node.port);
        }
        r.proxy.dropAll();
        event(`${kind} ${r.name} (on ${r.slot.node?.id ?? r.slot.name})`);
      }
      faults[kind]++;
      faultCount++;
    }

    const chaosDoneAt = Date.now();
    for (const m of members) m.member.stop();
    // Nodes and Redis come back before the settle phase is judged.
    while (background.size > 0) await Promise.all([...background]);
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
      let found: string[] = [];
      let detail: string[] = [];
      const converged = await until(
        async () => {
          const got = await presence.get().catch(() => []);
          found = got.map((m) => m.clientId).sort();
          detail = got.map((m) => `${m.clientId}@${m.connectionId}`).sort();
          return found.join() === expected.join();
        },
        Math.max(deadline, Date.now() + 2000),
      );
      seen.push({ name: s.name, members: converged ? found : detail, converged });
    }
    clearInterval(ticker);
    const convergedAt = Date.now();

    const report: ClusterChaosReport = {
      seed,
      elapsedMs: Date.now() - started,
      persisted,
      timings: {
        chaosMs: chaosDoneAt - started,
        deliveredMs: deliveredAt - chaosDoneAt,
        presenceMs: convergedAt - deliveredAt,
      },
      faults: {
        ...faults,
        total: faultCount,
        node: faults.kill + faults['kill-new-id'] + faults.drain,
      },
      nodeIds,
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
      crashes: [...crashes],
      events,
      violations: [],
    };
    // A channel that is not attached at the end hears nothing, however healthy its connection.
    const detached = subscribers.flatMap((s) => {
      const client = clients.find((c) => c.name === s.name)!.realtime;
      return [MESSAGES, PRESENCE]
        .map((name) => client.channels.get(name))
        .filter((channel) => channel.state !== 'attached')
        .map((channel) => `${s.name}: ${channel.name} ended ${channel.state}`);
    });
    report.violations = [
      ...violations(report),
      ...detached,
      ...crashes.map((c) => c.split('\n')[0]!),
    ];
    return report;
  } finally {
    while (background.size > 0) await Promise.all([...background]).catch(() => {});
    for (const c of clients) c.realtime.close();
    for (const r of routes) await r.proxy.close();
    for (const s of slots) {
      s.faulted = true;
      await s.node?.drain();
    }
    await redis?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
