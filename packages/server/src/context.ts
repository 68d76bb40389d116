import type { Logger } from './logger.js';
import type { PushOutbox } from './push/push-outbox-worker.js';
import type { AppRegistry } from './apps/app-registry.js';
import type { AuditTrail } from './audit/audit-trail.js';
import type { RevocationList } from './auth/revocations.js';
import type { NonceCache } from './auth/nonce-cache.js';
import type { ChannelRegistry } from './channels/channel-registry.js';
import type { ConnectionTable } from './session/connection-table.js';
import type { Limits } from './limits.js';
import type { Clock } from './ports/clock.js';
import type { HistoryStore } from './ports/history.js';
import type { PushSender } from './ports/push-sender.js';
import type { PushStore } from './ports/push-store.js';
import type { StatsRecorder } from './stats/stats-recorder.js';

export type { Logger } from './logger.js';

/** Everything the engine's handlers share, built once by createEngine. */
export interface EngineContext {
  readonly serverId: string;
  readonly limits: Limits;
  readonly clock: Clock;
  readonly apps: AppRegistry;
  readonly channels: ChannelRegistry;
  /** Persisted channels' history (the Store's history part). */
  readonly history: HistoryStore;
  readonly connections: ConnectionTable;
  /** Push devices and channel subscriptions (the Store's push part). */
  readonly pushStore: PushStore;
  /** Where pushes to real transports go (RSH1a). */
  readonly pushSender: PushSender;
  /** The durable queue in front of pushSender: retries, resume after restart, final outcome. */
  readonly pushOutbox: PushOutbox;
  readonly nonces: NonceCache;
  readonly revocations: RevocationList;
  readonly stats: StatsRecorder;
  /** Write-behind channel registry, events log and connection stats. */
  readonly audit: AuditTrail;
  readonly logger: Logger;
  /** Development mode: `POST /apps` is open without the admin secret. */
  readonly development: boolean;
  readonly adminSecret?: string;
}
