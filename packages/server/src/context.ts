import type { SessionSharing } from './connection/shared-sessions.js';
import type { LogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';
import type { EngineMetrics } from './metrics/engine-metrics.js';
import type { PushOutbox } from './push/push-outbox-worker.js';
import type { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import type { AppRegistry } from './apps/app-registry.js';
import type { AuditTrail } from './audit/audit-trail.js';
import type { RevocationList } from './auth/revocations.js';
import type { NonceCache } from './auth/nonce-cache.js';
import type { ChannelRegistry } from './channels/channel-registry.js';
import type { OccupancyEvents } from './channels/occupancy-events.js';
import type { ConnectionTable } from './session/connection-table.js';
import type { Limits } from './limits.js';
import type { Clock } from './ports/clock.js';
import type { HistoryStore } from './ports/history.js';
import type { AnnotationStore } from './ports/annotation-store.js';
import type { PushSender } from './ports/push-sender.js';
import type { PushStore } from './ports/push-store.js';
import type { StatsRecorder } from './stats/stats-recorder.js';
import type { ClusterStats } from './stats/cluster-stats.js';
import type { NotificationCatalog } from './notify/catalog.js';
import type { NotificationStore } from './ports/notification-store.js';
import type { HeartbeatConfigStore } from './ports/heartbeat-config.js';
import type { HeartbeatSettings } from './sse/heartbeat-settings.js';
import type { DeltaCache } from './delta/delta-frames.js';

export type { Logger } from './logger.js';

/** Everything the engine's handlers share, built once by createEngine. */
export interface EngineContext {
  readonly serverId: string;
  readonly limits: Limits;
  readonly clock: Clock;
  readonly apps: AppRegistry;
  readonly channels: ChannelRegistry;
  /** `[meta]occupancy` events for attachments that asked for them (the `occupancy` param). */
  readonly occupancy: OccupancyEvents;
  /** Persisted channels' history and annotations (those parts of the Store). */
  readonly history: HistoryStore & AnnotationStore;
  readonly connections: ConnectionTable;
  /** Push devices and channel subscriptions (the Store's push part). */
  readonly pushStore: PushStore;
  /** Where pushes to real transports go (RSH1a). */
  readonly pushSender: PushSender;
  /** Push titles and bodies per app and event (`notifications.catalog` in config). */
  readonly notificationCatalog: NotificationCatalog;
  /** The notification log and nudge slots (the Store's notification part). */
  readonly notificationLog: NotificationStore;
  /** The durable queue in front of pushSender: retries, resume after restart, final outcome. */
  readonly pushOutbox: PushOutbox;
  /** Channel events matched against apps' webhook rules, batched into the webhook outbox. */
  readonly webhooks: WebhookDispatcher;
  readonly nonces: NonceCache;
  readonly revocations: RevocationList;
  readonly stats: StatsRecorder;
  /** On a cluster whose broker shares stats: `GET /stats` answers with every node's counts. */
  readonly clusterStats?: ClusterStats;
  /** Process-wide counters for `/metrics`. */
  readonly metrics: EngineMetrics;
  /** Write-behind channel registry, events log and connection stats. */
  readonly audit: AuditTrail;
  readonly logger: Logger;
  /** Bounds log lines no connection owns (refused REST requests, failed connects). */
  readonly logThrottle: LogThrottle;
  /** The heartbeat_config table (the Store's part), edited over the admin API. */
  readonly heartbeatConfig: HeartbeatConfigStore;
  /** That table as SSE streams read it, cached. */
  readonly heartbeats: HeartbeatSettings;
  /** vcdiff deltas computed once per message and base, shared by delta subscribers. */
  readonly deltas: DeltaCache;
  /** Set by a graceful drain: new connections are refused and `/ready` answers 503. */
  draining: boolean;
  /** Several nodes share channels through a broker: a channel is read once it follows it. */
  readonly clustered: boolean;
  /** On a cluster whose broker records connections: resumes on another node keep their id. */
  sessionSharing?: SessionSharing;
  /** Development mode: `POST /apps` is open without the admin secret. */
  readonly development: boolean;
  readonly adminSecret?: string;
}
