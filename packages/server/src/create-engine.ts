import { Action, Errors } from '@switchboard/protocol';
import { createAppRegistry, type AppRegistry } from './apps/app-registry.js';
import { startAppReload } from './apps/app-reload.js';
import { appFromSpec } from './apps/provision.js';
import { startAuditTrail, type AuditReader } from './audit/audit-trail.js';
import { createNonceCache } from './auth/nonce-cache.js';
import { startRetentionSweep } from './auth/retention.js';
import { createRevocationList } from './auth/revocations.js';
import { createStatsRecorder } from './stats/stats-recorder.js';
import { startClusterStats, STATS_SETTLE_MS } from './stats/cluster-stats.js';
import { createChannelRegistry, stateKey } from './channels/channel-registry.js';
import { createHistoryWriter } from './channels/history-writer.js';
import { createAnnotationWriter } from './channels/annotation-writer.js';
import { createStoredAnnotations } from './channels/stored-annotations.js';
import { createOccupancyEvents } from './channels/occupancy-events.js';
import { createEngineMetrics, type EngineMetrics } from './metrics/engine-metrics.js';
import { engineGauges, type EngineGauges } from './metrics/gauges.js';
import type { RestoredChannel } from './channels/channel.js';
import { createConnectionTable } from './session/connection-table.js';
import {
  disconnectRevoked,
  discardSession,
  dropMovedSession,
  openSession,
  resumeElsewhere,
  sendDisconnected,
  transportLost,
} from './connection/lifecycle.js';
import { receiveFrame } from './connection/router.js';
import { createSessionHandle } from './connection/session-handle.js';
import { startSessionSharing } from './connection/shared-sessions.js';
import type { Session } from './session/session.js';
import type { ConnectionHandle, Transport } from './session/transport.js';
import type { EngineContext, Logger } from './context.js';
import { createLogThrottle } from './log-throttle.js';
import { brokerErrorLog } from './channels/broker-error-log.js';
import { silentLogger } from './logger.js';
import { randomId } from './ids.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { createSystemClock, type Clock, type TimerHandle } from './ports/clock.js';
import type { AppRecord, Store } from './ports/store.js';
import { DEFAULT_LEASE, type Broker } from './ports/broker.js';
import { startDeadNodeReaper } from './channels/dead-node-reaper.js';
import { createRecordingPushSender, type PushSender } from './ports/push-sender.js';
import type { RestRequest, RestResponse } from './rest/http.js';
import { loadPresenceFixtures } from './rest/routes/app-routes.js';
import { handleRest } from './rest/router.js';
import { validateCatalog, type NotificationCatalog } from './notify/catalog.js';
import { applyVerdict, removeUnregistered } from './push/push-dispatch.js';
import { createPushOutbox } from './push/push-outbox-worker.js';
import { createWebhookOutbox } from './webhooks/webhook-outbox-worker.js';
import { createWebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { webhookEventOf, occupancyEvent } from './webhooks/webhook-events.js';
import { createHeartbeatSettings } from './sse/heartbeat-settings.js';
import { createSseFrameCache } from './sse/sse-events.js';
import { createDeltaCache } from './delta/delta-frames.js';
import { openSseStream, type SseRequest, type SseSink, type SseStream } from './sse/sse-stream.js';

/** What createEngine needs: ports are injected, everything else has a default. */
export interface EngineOptions {
  store: Store;
  clock?: Clock;
  limits?: Partial<Limits>;
  /** Development mode: `POST /apps` open, a development app created on first start. */
  development?: boolean;
  adminSecret?: string;
  logger?: Logger;
  serverId?: string;
  /** Persist every channel's history, not only those of `persisted` namespaces. */
  persistAllChannels?: boolean;
  /**
   * How often apps and keys are reread from the store (ms; default `APP_RELOAD_MS`, 0 never), so
   * that what another process such as the operator CLI writes there reaches this server.
   */
  appReloadMs?: number;
  /**
   * Where pushes go (`POST /push/publish`, channel publishes with `extras.push`). Default: a
   * recording sender that delivers nothing; pass one to observe pushes or to reach Expo.
   */
  pushSender?: PushSender;
  /**
   * Push titles and bodies for `POST /notify`, per app id (or `*`) and event name (or `*`),
   * over the built-in defaults. Checked here: a malformed catalog is a TypeError.
   */
  notificationCatalog?: NotificationCatalog;
  /**
   * The cluster broker (e.g. Redis) when several nodes act as one: serials, recent logs,
   * idempotent ids and presence are shared through it. Default: none, the single-node path,
   * where each channel keeps them itself. The host owns it and closes it after the engine.
   */
  broker?: Broker;
}

/** The Switchboard engine: the host feeds it sockets and HTTP requests. */
export interface Engine {
  readonly limits: Limits;
  readonly apps: AppRegistry;
  /** Accepts a new realtime transport; returns the handle the host feeds frames into. */
  openConnection(transport: Transport, query: URLSearchParams): ConnectionHandle;
  handleRest(req: RestRequest): Promise<RestResponse>;
  /**
   * Opens a Server-Sent Events stream (`GET /sse`) on a response whose headers are sent: errors
   * (credentials, channels, capability) arrive as an `error` event before the sink is ended.
   */
  openSse(request: SseRequest, sink: SseSink): SseStream;
  /** Creates an app from a spec (as `POST /apps` would). */
  createApp(spec: unknown, appId?: string): Promise<AppRecord>;
  stats(): { connections: number };
  /** Counters for `/metrics` (totals since start). */
  readonly metrics: EngineMetrics;
  /** Gauges for `/metrics`, computed now: connections, channels, members, buffered bytes. */
  gauges(): EngineGauges;
  /**
   * Graceful drain: refuses new connections and sends every connected client DISCONNECTED
   * (80003), which makes the official client reconnect at once (to another node behind a load
   * balancer) and resume. `close` afterwards stores what is pending.
   */
  drain(): void;
  /** Whether `drain` was called: `/ready` answers 503 from then on. */
  readonly draining: boolean;
  /**
   * The channel registry, events log, connection stats and stats minutes as stored (pending
   * writes flushed first): what an operator CLI or dashboard in the same process reads.
   */
  readonly audit: AuditReader;
  /** Stops timers and ends every connection. */
  close(): Promise<void>;
}

/** Where each persisted channel's serials stood when the server last wrote it. */
async function restoredChannelStates(
  store: Store,
  idsSince: number,
): Promise<Map<string, RestoredChannel>> {
  const restored = new Map<string, RestoredChannel>();
  for (const s of await store.listChannelStates())
    restored.set(stateKey(s.appId, s.channel), { epoch: s.epoch, seq: s.lastSeq, recentIds: [] });
  for (const r of await store.recentMessageIds(idsSince))
    restored.get(stateKey(r.appId, r.channel))?.recentIds?.push([r.id, r.timestamp]);
  return restored;
}

/** Creates an engine over the given ports; loads apps, revocations and used nonces from the store. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const apps = createAppRegistry(options.store);
  const recorderLimits = { maxMinutes: limits.maxStatsMinutes, maxEntries: limits.maxStatsEntries };
  await apps.load();
  const clock = options.clock ?? createSystemClock();
  const logThrottle = createLogThrottle(clock);
  const logger = options.logger ?? silentLogger;
  const statsShare = options.broker?.stats;
  const clusterStats =
    statsShare &&
    startClusterStats({
      share: statsShare,
      local: createStatsRecorder(recorderLimits),
      pending: createStatsRecorder(recorderLimits),
      keep: { ttlMs: limits.statsRetentionMs, maxMinutes: limits.maxStatsMinutes },
      logger,
      logThrottle,
    });
  const stats = clusterStats?.recorder ?? createStatsRecorder(recorderLimits);
  const nonces = createNonceCache(options.store, limits.tokenRequestWindowMs);
  const revocations = createRevocationList(
    options.store,
    limits.maxTokenTtlMs,
    options.broker?.revocations,
  );
  const startedAt = clock.now();
  const metrics = createEngineMetrics();
  const historyWriter = createHistoryWriter(options.store, limits.historyCommitIntervalMs);
  const annotationWriter = createAnnotationWriter(options.store, limits.historyCommitIntervalMs);
  await nonces.load(startedAt);
  const loadedRevocations = await revocations.load(startedAt);
  const audit = await startAuditTrail({
    store: options.store,
    limits,
    clock,
    logger,
    stats,
    ...(clusterStats
      ? {
          statsSource: {
            minutesBetween: (from, to) => clusterStats.minutesBetween(from, to),
            settleMs: STATS_SETTLE_MS,
          },
        }
      : {}),
  });
  const pushSender = options.pushSender ?? createRecordingPushSender();
  const pushOutbox = createPushOutbox({
    store: options.store,
    sender: pushSender,
    limits,
    clock,
    logger,
    onOutcome: (delivery, outcome) => applyVerdict(ctx, delivery, outcome),
  });
  const serverId = options.serverId ?? `sb-${randomId(4)}`;
  const webhooks = createWebhookDispatcher({
    apps,
    outbox: createWebhookOutbox({ store: options.store, apps, limits, clock, logger }),
    limits,
    logger,
    site: serverId,
  });
  const occupancy = createOccupancyEvents(clock, limits.occupancyEventIntervalMs);
  const ctx: EngineContext = {
    serverId,
    occupancy,
    limits,
    clock,
    apps,
    channels: createChannelRegistry(
      limits,
      (appId, deliveries, publishedAt) => {
        const now = Date.now();
        stats.countDelivered(appId, deliveries, now);
        metrics.deliveries += deliveries;
        if (deliveries > 0) metrics.observeLatency((now - publishedAt) / 1000);
      },
      (channel, created) => audit.channelRegistry.touch(channel, created ? clock.now() : undefined),
      {
        isPersisted: (appId, name) => {
          if (options.persistAllChannels) return true;
          const app = apps.get(appId);
          return app !== undefined && apps.namespaceOf(app, name)?.persisted === true;
        },
        writer: historyWriter,
        annotationsOf: (appId, name) =>
          createStoredAnnotations(options.store, annotationWriter, appId, name),
        restored: await restoredChannelStates(
          options.store,
          clock.now() - limits.idempotencyWindowMs,
        ),
      },
      (channel, kind, entry) => {
        if (kind === 'presence') occupancy.changed(channel);
        // Most apps have no rules: one lookup, and no event object is built for them.
        if (!webhooks.active(channel.appId)) return;
        webhooks.emit(channel.appId, webhookEventOf(channel, kind, entry));
        // Presence changes move the member count; subscriber changes are noted on attach/detach.
        if (kind === 'presence' && webhooks.wants(channel.appId, 'channel.occupancy'))
          webhooks.emit(channel.appId, occupancyEvent(channel, entry.timestamp));
      },
      options.broker && {
        broker: options.broker,
        onBrokerError: brokerErrorLog(logger, clock),
      },
    ),
    clustered: options.broker !== undefined,
    history: options.store,
    connections: createConnectionTable(),
    pushStore: options.store,
    pushSender,
    pushOutbox,
    webhooks,
    notificationCatalog: validateCatalog(options.notificationCatalog ?? {}),
    notificationLog: options.store,
    heartbeatConfig: options.store,
    heartbeats: createHeartbeatSettings(options.store, () => clock.now()),
    deltas: createDeltaCache(),
    nonces,
    revocations,
    stats,
    ...(clusterStats ? { clusterStats } : {}),
    metrics,
    audit,
    logger,
    logThrottle,
    development: options.development ?? true,
    draining: false,
    ...(options.adminSecret ? { adminSecret: options.adminSecret } : {}),
  };
  if (options.broker?.sessions)
    ctx.sessionSharing = startSessionSharing({
      directory: options.broker.sessions,
      nodeId: options.broker.nodeId,
      connections: ctx.connections,
      ttlMs: limits.connectionStateTtlMs,
      logger,
      onTakenOver: (session) => dropMovedSession(ctx, session),
    });
  for (const app of apps.list()) {
    if (app.record.channels) loadPresenceFixtures(ctx, app.record.id, app.record.channels);
  }
  // A revocation made with allowReauthMargin before a restart still has to end the connections
  // opened on its tokens in the meantime when its margin runs out (RSA17).
  const revocationTimers: TimerHandle[] = loadedRevocations
    .filter((r) => r.appliesAt > startedAt)
    .map((r) =>
      clock.setTimer(
        () => disconnectRevoked(ctx, r.keyName, r.clientId, r.issuedBefore),
        r.appliesAt - startedAt,
      ),
    );
  // A revocation made on another node: enforced here at once, or when its margin runs out.
  options.broker?.revocations?.onAnnounced((r) => {
    revocations.remember(r);
    const wait = r.appliesAt - clock.now();
    if (wait <= 0) disconnectRevoked(ctx, r.keyName, r.clientId, r.issuedBefore);
    else
      revocationTimers.push(
        clock.setTimer(() => disconnectRevoked(ctx, r.keyName, r.clientId, r.issuedBefore), wait),
      );
  });
  // Verdicts that arrive after sending (Expo receipts) prune the devices they name.
  const stopUnregistered = ctx.pushSender.onUnregistered?.((delivery, reason) => {
    removeUnregistered(ctx, delivery, reason).catch((err: unknown) =>
      logger.warn('push device removal failed', {
        deviceId: delivery.deviceId,
        error: String(err),
      }),
    );
  });
  // Resumes what a previous process left pending (a restart during retries loses nothing).
  pushOutbox.start();
  webhooks.start();
  const retention = startRetentionSweep(ctx);
  const appReload = startAppReload(ctx, options.appReloadMs);

  // Keep-alive (RTN23): something reaches every client at least once per maxIdleInterval.
  const keepAliveEvery = Math.max(250, Math.floor(limits.maxIdleIntervalMs / 3));
  const keepAlive = setInterval(() => {
    const now = ctx.clock.now();
    for (const s of ctx.connections.all()) {
      if (s.sent) {
        s.sent = false;
        s.lastSentAt = now;
      }
      if (!s.transport || now - s.lastSentAt < keepAliveEvery) continue;
      if (s.options.heartbeats) s.send({ action: Action.HEARTBEAT });
      else {
        s.transport.ping();
        s.lastSentAt = now;
      }
    }
  }, keepAliveEvery);
  keepAlive.unref();
  const sweep = setInterval(() => ctx.channels.sweep(ctx.clock.now()), 60_000);
  sweep.unref();
  const sse = { heartbeats: ctx.heartbeats, frameOf: createSseFrameCache() };
  const reaper = options.broker && startDeadNodeReaper(options.broker, DEFAULT_LEASE, logger);

  /**
   * A resume of a connection this node does not hold: its record is read from the broker first,
   * and frames that arrive meanwhile wait for the session.
   */
  const openMovedConnection = (
    transport: Transport,
    query: URLSearchParams,
    resumeKey: string,
  ): ConnectionHandle => {
    let session: Session | undefined;
    let closed = false;
    const early: Parameters<ConnectionHandle['receive']>[0][] = [];
    const handle: ConnectionHandle = {
      connectionKey: undefined,
      receive: (data) => (session ? receiveFrame(ctx, session, data) : void early.push(data)),
      transportClosed: () =>
        session ? transportLost(ctx, session, transport) : void (closed = true),
    };
    ctx
      .sessionSharing!.lookup(resumeKey)
      .then((record) => {
        if (closed) return;
        session = openSession(ctx, transport, query, record);
        (handle as { connectionKey: string | undefined }).connectionKey = session?.key;
        if (session) for (const data of early.splice(0)) receiveFrame(ctx, session, data);
      })
      .catch((err: unknown) => {
        logger.error('resume from another node failed', { error: String(err) });
        transport.close();
      });
    return handle;
  };

  return {
    limits,
    apps,
    openConnection(transport, query) {
      if (ctx.draining) {
        sendDisconnected(transport, Errors.serverDraining());
        return { connectionKey: undefined, receive: () => {}, transportClosed: () => {} };
      }
      const elsewhere = resumeElsewhere(ctx, query);
      if (elsewhere) return openMovedConnection(transport, query, elsewhere);
      return createSessionHandle(ctx, openSession(ctx, transport, query), transport);
    },
    handleRest: (req) => handleRest(ctx, req),
    openSse: (request, sink) => openSseStream(ctx, sse, request, sink),
    async createApp(spec, appId) {
      const record = appFromSpec(spec, ctx.clock.now(), appId);
      await apps.save(record);
      logger.info('app created', { appId: record.id, keys: record.keys.length, via: 'host' });
      if (record.channels) loadPresenceFixtures(ctx, record.id, record.channels);
      return record;
    },
    stats: () => ({ connections: ctx.connections.size() }),
    metrics,
    gauges: () => engineGauges(ctx),
    drain() {
      if (!ctx.draining) logger.info('drain started', { connections: ctx.connections.size() });
      ctx.draining = true;
      for (const s of ctx.connections.all())
        s.endTransport(Action.DISCONNECTED, Errors.serverDraining());
    },
    get draining() {
      return ctx.draining;
    },
    audit,
    async close() {
      // The records stay: this node's clients resume elsewhere with their connection ids.
      ctx.sessionSharing?.stop();
      ctx.sessionSharing = undefined;
      clearInterval(keepAlive);
      clearInterval(sweep);
      // Its last counts are pushed by the stats persistence's last flush (audit.close, below).
      clusterStats?.stop();
      occupancy.close();
      await reaper?.stop();
      stopUnregistered?.();
      await pushOutbox.close();
      for (const t of revocationTimers) t.cancel();
      await appReload.stop();
      await retention.stop();
      for (const s of [...ctx.connections.all()]) {
        const t = s.transport;
        discardSession(ctx, s, 'server shutting down');
        t?.close();
      }
      // Leaves made by ending the sessions are stored before the store closes.
      await historyWriter.drain();
      await annotationWriter.drain();
      // The leaves and closes of those sessions are batched too, before the outbox stops.
      await webhooks.close();
      // Last: the discarded sessions' rows and the channels they emptied are written too.
      await audit.close();
    },
  };
}
