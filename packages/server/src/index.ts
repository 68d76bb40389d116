export { createEngine } from './create-engine.js';
export type { Engine, EngineOptions } from './create-engine.js';
export type { Transport, ConnectionHandle } from './session/transport.js';
export type { WireFormat } from './channels/outbound-frame.js';
export type { RestRequest, RestResponse } from './rest/http.js';
export type { SseRequest, SseSink, SseStream } from './sse/sse-stream.js';
export type { Logger } from './context.js';
export { silentLogger } from './logger.js';
export { createMemoryStore } from './ports/store.js';
export type {
  Store,
  AppRecord,
  KeyRecord,
  NamespaceRecord,
  PresenceFixture,
  RevocationRecord,
  UsedNonceRecord,
} from './ports/store.js';
export { channelType, compareNames, parseTimeCursor } from './ports/audit-store.js';
export type {
  AuditStore,
  ChannelQuery,
  ChannelRecord,
  ConnectionStatsQuery,
  ConnectionStatsRecord,
  EventQuery,
  EventRecord,
  EventSource,
  PageQuery,
  StatsMinuteQuery,
  StatsMinuteRecord,
  StorePage,
} from './ports/audit-store.js';
export { createSystemClock } from './ports/clock.js';
export type { Clock, TimerHandle } from './ports/clock.js';
export { DEFAULT_LIMITS, LIMIT_DOCS } from './limits.js';
export type { Limits } from './limits.js';
export { appFromSpec, describeApp, keyFromSpec } from './apps/provision.js';
export { APP_RELOAD_MS } from './apps/app-reload.js';
export { tokenForKey } from './auth/token-request.js';
export type { TokenDetails, TokenParams } from './auth/token-request.js';
export type {
  HistoryStore,
  HistoryBatch,
  HistoryEntryRecord,
  HistoryItem,
  HistoryKind,
  HistoryQuery,
  ChannelStateRecord,
  LatestVersionRecord,
  RecentMessageId,
} from './ports/history.js';
export { createRecordingPushSender } from './ports/push-sender.js';
export type {
  PushSender,
  PushDelivery,
  PushOutcome,
  PushPayload,
  RecordingPushSender,
  UnregisteredListener,
} from './ports/push-sender.js';
export { createMemoryPushStore } from './ports/memory-push-store.js';
export { createMemoryPushOutbox } from './ports/push-outbox.js';
export type { PushOutboxStore, PushOutboxRecord, PushOutboxStatus } from './ports/push-outbox.js';
export {
  canonicalWebhookRows,
  createMemoryWebhookOutbox,
  webhookBatchPrefix,
  WEBHOOK_SOURCES,
} from './ports/webhook-outbox.js';
export type {
  WebhookBatch,
  WebhookOutboxRecord,
  WebhookOutboxStatus,
  WebhookOutboxStore,
  WebhookRule,
  WebhookSource,
} from './ports/webhook-outbox.js';
export { webhookRuleFromSpec, describeWebhookRule } from './webhooks/webhook-rules.js';
export { signWebhookBody } from './webhooks/webhook-sign.js';
export {
  parseSubscriptionCursor,
  subscriptionCursor,
  subscriptionMatches,
} from './ports/push-store.js';
export type {
  PushStore,
  PushDeviceRecord,
  PushDeviceFilter,
  PushSubscriptionRecord,
  PushSubscriptionFilter,
  PushPageQuery,
  PushRecipient,
  DevicePushState,
} from './ports/push-store.js';
export { LATENCY_BUCKETS } from './metrics/engine-metrics.js';
export type { EngineMetrics } from './metrics/engine-metrics.js';
export type { EngineGauges } from './metrics/gauges.js';
export { createMemoryNotificationStore } from './ports/memory-notification-store.js';
export { parseNotificationCursor } from './ports/notification-store.js';
export type {
  NotificationStore,
  NotificationRecord,
  NewNotification,
  NotificationKind,
  NotificationOutcome,
  NotificationQuery,
  NudgeKey,
  NudgeClaim,
} from './ports/notification-store.js';
export {
  DEFAULT_MESSAGE,
  DEFAULT_MESSAGES,
  messageFor,
  validateCatalog,
} from './notify/catalog.js';
export type { CatalogMessage, NotificationCatalog } from './notify/catalog.js';
export { fillPlaceholders } from './notify/placeholders.js';
export {
  createMemoryHeartbeatConfig,
  DEFAULT_HEARTBEAT_CONFIG,
  FALLBACK_HEARTBEAT,
} from './ports/heartbeat-config.js';
export type { HeartbeatConfigRecord, HeartbeatConfigStore } from './ports/heartbeat-config.js';
export { createMemoryAnnotationStore } from './ports/annotation-store.js';
export type {
  AnnotationBatch,
  AnnotationQuery,
  AnnotationRecord,
  AnnotationStore,
  SummaryRecord,
} from './ports/annotation-store.js';
export { heartbeatConfigFromSpec, HEARTBEAT_BOUNDS } from './sse/heartbeat-config-spec.js';
export { encodeVcdiff } from './delta/vcdiff-encoder.js';
export { createMemoryBrokerBackend, reapedLeave } from './ports/memory-broker.js';
export type { BrokerSettings, MemoryBrokerBackend } from './ports/memory-broker.js';
export { DEAD_NODE_BOUND_MS, DEFAULT_LEASE, INBOUND_WINDOW_MS } from './ports/broker.js';
export type {
  Broker,
  BrokerAppend,
  BrokerChannel,
  BrokerEntry,
  BrokerEntryKind,
  BrokerLeaseTimes,
  RevocationShare,
  SessionDirectory,
  SharedSession,
  StatsShare,
  BrokerListener,
  BrokerWrite,
} from './ports/broker.js';
