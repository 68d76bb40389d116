/** Every limit the server enforces, each with a default (docs/limits.md lists them). */
export interface Limits {
  /** Largest message (name + data + clientId + extras), bytes. Over it: 40009. */
  maxMessageSize: number;
  /** Largest inbound WebSocket frame or REST body, bytes. Over it: connection error 40000 / 41300. */
  maxFrameSize: number;
  /**
   * Inbound publishes (messages + presence) per connection per second. Over it: NACK 42910. On a
   * cluster the broker also counts a connection's messages across nodes (in the publish script).
   */
  maxInboundRate: number;
  /** Bytes waiting in one connection's socket before it is disconnected as a slow consumer (80003). */
  maxOutboundBufferBytes: number;
  /**
   * Node host, comet transport: how long a comet connection may go without a recv request in
   * flight before it counts as dropped (the client stopped polling).
   */
  cometPollTimeoutMs: number;
  /** Channels one connection may have attached. Over it: channel ERROR 90001. */
  maxChannelsPerConnection: number;
  /** Channels one SSE stream may name (each event's id carries a serial per channel). */
  maxSseChannels: number;
  /** Presence members per channel. Over it: NACK 91003. */
  maxPresenceMembers: number;
  /** Messages kept per channel for history, rewind and resume, at least. */
  historyMinMessages: number;
  /** Milliseconds of messages kept per channel, at least. */
  historyMinAgeMs: number;
  /** Messages kept per channel at most, whatever their age. */
  historyMaxMessages: number;
  /** How long a dropped connection can be resumed (connectionStateTtl). */
  connectionStateTtlMs: number;
  /** Presence members of a dropped connection stay this long unless it resumes. */
  presenceGraceMs: number;
  /** The server sends something at least this often (maxIdleInterval). */
  maxIdleIntervalMs: number;
  /**
   * A WebSocket whose peer answers neither a ping nor anything else for this long is cut, so a
   * client that vanished without closing (a network cut, a browser gone offline) leaves presence.
   */
  wsPingTimeoutMs: number;
  /** Default and maximum token TTL. */
  defaultTokenTtlMs: number;
  maxTokenTtlMs: number;
  /**
   * How long before a token expires the server asks for a new one (AUTH). Tokens with less life
   * than this are not asked: they get DISCONNECTED 40142 at expiry, so a client that cannot
   * renew is not failed by a request it cannot answer.
   */
  tokenRenewLeadMs: number;
  /** Accepted skew of a TokenRequest timestamp. */
  tokenRequestWindowMs: number;
  /** How long idempotent message ids are remembered per channel. */
  idempotencyWindowMs: number;
  /** Largest history page. */
  maxHistoryLimit: number;
  /**
   * Devices one push reaches at most: those of one clientId for `POST /push/publish`, or those
   * subscribed to the channel for a publish with `extras.push`. Beyond it: not pushed.
   */
  maxPushDevicesPerDelivery: number;
  /** Nudges (`POST /notify` with `kind: 'nudge'`) one sender may send one recipient: one per this many ms. */
  nudgeIntervalMs: number;
  /** How long notification log rows are kept (`GET /notifications`). */
  notificationLogRetentionMs: number;
  /**
   * Attempts at one push whose transport timed out or answered 5xx/429 before it is recorded
   * failed in the push outbox (and logged).
   */
  pushMaxAttempts: number;
  /** Wait before a push's first retry; doubled for each later one (exponential backoff). */
  pushRetryBaseMs: number;
  /** Longest wait between two attempts at a push. */
  pushRetryMaxMs: number;
  /** How often the push outbox is scanned for pushes due a retry (and, at start, resumed). */
  pushOutboxPollMs: number;
  /** Pushes taken from the outbox per scan. */
  pushOutboxBatch: number;
  /**
   * How long a push being sent is held by the process sending it: a process that died while
   * sending leaves it to be resumed after this.
   */
  pushSendLeaseMs: number;
  /** How long finished (sent or failed) rows stay in the push outbox, for inspection. */
  pushOutboxRetentionMs: number;
  /** How long a webhook rule collects events before it posts them as one batch. */
  webhookBatchMs: number;
  /** Events in one webhook batch; a full batch is posted at once. */
  webhookBatchMaxItems: number;
  /** How long one webhook request may take before it counts as failed. */
  webhookTimeoutMs: number;
  /** Attempts at one webhook batch before it is recorded failed in the outbox (and logged). */
  webhookMaxAttempts: number;
  /** Wait before a webhook batch's first retry; doubled for each later one. */
  webhookRetryBaseMs: number;
  /** Longest wait between two attempts at a webhook batch. */
  webhookRetryMaxMs: number;
  /** Failed attempts in a row, over all of a rule's batches, after which the rule is paused. */
  webhookPauseAfterFailures: number;
  /** Webhook requests under way at once per process; further batches wait in the outbox. */
  webhookMaxInFlight: number;
  /** How often the webhook outbox is scanned for batches due (and, at start, resumed). */
  webhookOutboxPollMs: number;
  /** Webhook batches taken from the outbox per scan. */
  webhookOutboxBatch: number;
  /** How long a webhook batch being sent is held by the process sending it. */
  webhookSendLeaseMs: number;
  /** How long finished (sent or failed) rows stay in the webhook outbox, for inspection. */
  webhookOutboxRetentionMs: number;
  /**
   * Group commit window for persisted channels: writes of this many ms share one transaction
   * (0: one per event-loop turn). Longer windows cost latency and save commit work.
   */
  historyCommitIntervalMs: number;
  /** How long persisted channels' history is kept in the store (Ably's persisted rule: 72 h). */
  persistedHistoryRetentionMs: number;
  /**
   * Control budget per connection: ATTACH and SYNC cost 1 plus 1 per 10 presence members or
   * backlog messages they send. Burst size, and refill per second. Past it: ATTACH gets channel
   * ERROR 42910, a SYNC request is ignored.
   */
  maxControlBurst: number;
  maxControlRate: number;
  /** Channels one batch request (publish or presence) may name. Over it: 90010. */
  maxBatchChannels: number;
  /** Active channels per app; channels idle for a few minutes are swept. Over it: 90021. */
  maxChannelsPerApp: number;
  /** Versions kept per updated message (older intermediate versions are dropped first). */
  maxVersionsPerMessage: number;
  /** Bytes of message versions kept per channel (the oldest messages' versions go first). */
  maxVersionBytesPerChannel: number;
  /** Stats fixtures accepted in one `POST /stats`. Over it: 400 40003. */
  maxStatsFixtures: number;
  /** Stats minutes kept per app (live counters and fixtures); the oldest stored go first. */
  maxStatsMinutes: number;
  /** Distinct stats entries in one minute of one app, and nesting depth 16. Over it: 400 40003. */
  maxStatsEntries: number;
  /** Node host: time a client has to send complete request headers. Over it: 408, closed. */
  headersTimeoutMs: number;
  /** Node host: time a client has to send a complete request (headers and body). Over it: 408. */
  requestTimeoutMs: number;
  /**
   * Node host: sockets open at once that have not yet completed a request or WebSocket upgrade
   * (slowloris). Over it: new sockets are closed at once.
   */
  maxPendingRequests: number;
  /** How long audit rows (one per published message) are kept. */
  eventsLogRetentionMs: number;
  /** How long a finished (or abandoned) connection's stats row is kept. */
  connectionStatsRetentionMs: number;
  /** How long an inactive channel stays in the channel registry after its last activity. */
  channelRegistryRetentionMs: number;
  /** How long per-minute stats are kept in the store (and loaded back at start). */
  statsRetentionMs: number;
  /**
   * Audit rows (and finished connection rows, and changed channels) held in memory while the
   * store cannot be written. Past it the oldest are dropped and counted.
   */
  maxUnwrittenAuditRows: number;
  /** Least time between two `[meta]occupancy` events on one channel (changes in between are merged). */
  occupancyEventIntervalMs: number;
  /** Annotations kept per channel (raw events for `annotations.get` and summaries). */
  maxAnnotationsPerChannel: number;
}

/** The defaults. */
export const DEFAULT_LIMITS: Limits = {
  maxMessageSize: 65536,
  maxFrameSize: 524288,
  maxInboundRate: 250,
  maxOutboundBufferBytes: 16 * 1024 * 1024,
  cometPollTimeoutMs: 30_000,
  maxChannelsPerConnection: 1000,
  maxSseChannels: 100,
  maxPresenceMembers: 20000,
  historyMinMessages: 100,
  historyMinAgeMs: 120_000,
  historyMaxMessages: 10_000,
  connectionStateTtlMs: 120_000,
  presenceGraceMs: 15_000,
  maxIdleIntervalMs: 15_000,
  wsPingTimeoutMs: 30_000,
  defaultTokenTtlMs: 3_600_000,
  maxTokenTtlMs: 86_400_000,
  tokenRenewLeadMs: 30_000,
  tokenRequestWindowMs: 10 * 60_000,
  idempotencyWindowMs: 120_000,
  maxHistoryLimit: 1000,
  maxPushDevicesPerDelivery: 1000,
  nudgeIntervalMs: 6 * 3_600_000,
  notificationLogRetentionMs: 30 * 86_400_000,
  pushMaxAttempts: 5,
  pushRetryBaseMs: 2_000,
  pushRetryMaxMs: 300_000,
  pushOutboxPollMs: 1_000,
  pushOutboxBatch: 500,
  pushSendLeaseMs: 60_000,
  pushOutboxRetentionMs: 7 * 24 * 3_600_000,
  webhookBatchMs: 100,
  webhookBatchMaxItems: 100,
  webhookTimeoutMs: 5_000,
  webhookMaxAttempts: 10,
  webhookRetryBaseMs: 1_000,
  webhookRetryMaxMs: 300_000,
  webhookPauseAfterFailures: 15,
  webhookMaxInFlight: 32,
  webhookOutboxPollMs: 1_000,
  webhookOutboxBatch: 100,
  webhookSendLeaseMs: 60_000,
  webhookOutboxRetentionMs: 7 * 24 * 3_600_000,
  historyCommitIntervalMs: 0,
  persistedHistoryRetentionMs: 72 * 3_600_000,
  maxControlBurst: 1000,
  maxControlRate: 200,
  maxBatchChannels: 100,
  maxChannelsPerApp: 50_000,
  maxVersionsPerMessage: 100,
  maxVersionBytesPerChannel: 16 * 1024 * 1024,
  maxStatsFixtures: 1000,
  maxStatsMinutes: 60 * 24 * 31,
  maxStatsEntries: 500,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxPendingRequests: 1000,
  eventsLogRetentionMs: 7 * 86_400_000,
  connectionStatsRetentionMs: 7 * 86_400_000,
  channelRegistryRetentionMs: 30 * 86_400_000,
  // Thirteen months of 31 days: a year back from any day of this month, like the in-memory stats.
  statsRetentionMs: 13 * 31 * 86_400_000,
  maxUnwrittenAuditRows: 100_000,
  occupancyEventIntervalMs: 1_000,
  maxAnnotationsPerChannel: 10_000,
};

/** One row per limit for the docs' table: option, default, unit, what happens past it. */
export const LIMIT_DOCS: Record<keyof Limits, { unit: string; over: string }> = {
  maxMessageSize: { unit: 'bytes', over: 'publish NACKed / REST 400 with 40009' },
  maxFrameSize: {
    unit: 'bytes',
    over: 'ERROR 40000 and the connection is closed; REST 413 41300; a comet send body over 4× this: 413 41300',
  },
  maxInboundRate: {
    unit: "messages/s per connection (on a cluster: counted across nodes for messages, so a resume on another node keeps the second's budget; presence and annotations per node)",
    over: 'NACK 42910 for the excess',
  },
  maxOutboundBufferBytes: {
    unit: 'bytes per connection',
    over: 'DISCONNECTED 80003; the client resumes and replays from history',
  },
  cometPollTimeoutMs: {
    unit: 'ms',
    over: 'the comet transport counts as dropped: the connection waits for a resume, as after a socket drop',
  },
  maxChannelsPerConnection: { unit: 'channels', over: 'channel ERROR 90001' },
  maxSseChannels: { unit: 'channels per SSE stream', over: 'SSE error event 90001, stream closed' },
  maxPresenceMembers: { unit: 'members per channel', over: 'presence NACK 91003' },
  historyMinMessages: { unit: 'messages per channel', over: 'older messages may be dropped' },
  historyMinAgeMs: { unit: 'ms', over: 'older messages may be dropped' },
  historyMaxMessages: { unit: 'messages per channel', over: 'oldest dropped regardless of age' },
  connectionStateTtlMs: { unit: 'ms', over: 'resume fails with 80018, a new connection starts' },
  presenceGraceMs: {
    unit: 'ms (clients may shorten with remainPresentFor)',
    over: 'members of a dropped connection leave',
  },
  maxIdleIntervalMs: { unit: 'ms', over: 'server sends a heartbeat' },
  wsPingTimeoutMs: {
    unit: 'ms (pinged every half of it)',
    over: 'the silent WebSocket is cut; its presence members leave after presenceGraceMs',
  },
  defaultTokenTtlMs: { unit: 'ms', over: '—' },
  maxTokenTtlMs: {
    unit: 'ms',
    over: 'token request refused with 40003; a JWT living longer (exp − iat) refused with 40144',
  },
  tokenRenewLeadMs: {
    unit: 'ms',
    over: 'server sends AUTH this long before expiry (only to tokens living longer)',
  },
  tokenRequestWindowMs: {
    unit: 'ms',
    over: 'token request refused with 40104; a JWT with iat further ahead refused with 40144',
  },
  idempotencyWindowMs: { unit: 'ms', over: 'a repeated message id is delivered again' },
  maxHistoryLimit: { unit: 'messages per page', over: 'request refused with 40003' },
  maxPushDevicesPerDelivery: { unit: 'devices', over: 'the remaining devices are not pushed' },
  nudgeIntervalMs: {
    unit: 'ms per sender and recipient',
    over: 'a second nudge is refused with 42910, naming when the next is allowed',
  },
  notificationLogRetentionMs: {
    unit: 'ms',
    over: 'older notification log rows are pruned (batches, every minute)',
  },
  pushMaxAttempts: {
    unit: 'attempts per push',
    over: 'the push is recorded failed in the push outbox and logged',
  },
  pushRetryBaseMs: { unit: 'ms', over: 'first retry of a push comes this long after a failure' },
  pushRetryMaxMs: { unit: 'ms', over: 'backoff between attempts at a push stops growing' },
  pushOutboxPollMs: { unit: 'ms', over: 'a due retry waits at most this long to be sent' },
  pushOutboxBatch: { unit: 'pushes per scan', over: 'the rest wait for the next scan' },
  pushSendLeaseMs: {
    unit: 'ms',
    over: 'a push whose sender died mid-send is sent again (at-least-once)',
  },
  pushOutboxRetentionMs: {
    unit: 'ms',
    over: 'finished push outbox rows are pruned (batches, each scan)',
  },
  webhookBatchMs: { unit: 'ms', over: 'the collected events are posted as one batch' },
  webhookBatchMaxItems: { unit: 'events per request', over: 'the batch is posted at once' },
  webhookTimeoutMs: { unit: 'ms', over: 'the request is aborted and retried' },
  webhookMaxAttempts: {
    unit: 'attempts per batch',
    over: 'the batch is recorded failed in the webhook outbox and logged',
  },
  webhookRetryBaseMs: {
    unit: 'ms',
    over: 'first retry of a batch comes this long after a failure',
  },
  webhookRetryMaxMs: { unit: 'ms', over: 'backoff between attempts at a batch stops growing' },
  webhookPauseAfterFailures: {
    unit: 'failed attempts in a row',
    over: 'the rule is paused (saved on the app); its events are dropped until it is resumed',
  },
  webhookMaxInFlight: {
    unit: 'requests',
    over: 'further batches stay in the outbox until a scan finds room',
  },
  webhookOutboxPollMs: { unit: 'ms', over: 'a due retry waits at most this long to be sent' },
  webhookOutboxBatch: { unit: 'batches per scan', over: 'the rest wait for the next scan' },
  webhookSendLeaseMs: {
    unit: 'ms',
    over: 'a batch whose sender died mid-send is sent again (at-least-once)',
  },
  webhookOutboxRetentionMs: {
    unit: 'ms',
    over: 'finished webhook outbox rows are pruned (batches, each scan)',
  },
  historyCommitIntervalMs: {
    unit: 'ms',
    over: 'a publish to a persisted channel waits at most this long for its commit to start',
  },
  persistedHistoryRetentionMs: {
    unit: 'ms',
    over: 'older messages and presence events of persisted channels are pruned (batches, every minute)',
  },
  maxControlBurst: {
    unit: 'cost units per connection (ATTACH/SYNC: 1 + 1 per 10 members or messages sent)',
    over: 'ATTACH refused with channel ERROR 42910; SYNC requests ignored',
  },
  maxControlRate: {
    unit: 'cost units/s per connection, per node on a cluster (it bounds the work the node holding the connection does for it)',
    over: 'as maxControlBurst',
  },
  maxBatchChannels: { unit: 'channels per request', over: 'request refused with 90010' },
  maxChannelsPerApp: {
    unit: 'channels',
    over: 'creating one more (attach, publish, presence) refused with 90021; reads create none',
  },
  maxVersionsPerMessage: {
    unit: 'versions per message',
    over: 'the oldest intermediate versions are forgotten; the latest is kept',
  },
  maxVersionBytesPerChannel: {
    unit: 'bytes per channel',
    over: 'the oldest messages keep only their latest version, then none',
  },
  maxStatsFixtures: { unit: 'fixtures per POST /stats', over: 'request refused with 400 40003' },
  maxStatsMinutes: {
    unit: 'minutes per app (31 days)',
    over: 'the oldest stored minute is dropped',
  },
  maxStatsEntries: {
    unit: 'entries per minute per app',
    over: 'POST /stats refused with 400 40003 (also past nesting depth 16)',
  },
  headersTimeoutMs: {
    unit: 'ms (node host)',
    over: '408 and the socket is closed',
  },
  requestTimeoutMs: {
    unit: 'ms (node host)',
    over: '408 and the socket is closed',
  },
  maxPendingRequests: {
    unit: 'sockets without a complete request or upgrade (node host)',
    over: 'new sockets are closed at once',
  },
  eventsLogRetentionMs: { unit: 'ms', over: 'older audit rows are pruned (batches, every minute)' },
  connectionStatsRetentionMs: {
    unit: 'ms',
    over: 'rows of connections that ended (or were last active) earlier are pruned',
  },
  channelRegistryRetentionMs: {
    unit: 'ms',
    over: 'inactive channels last active earlier leave the registry',
  },
  statsRetentionMs: { unit: 'ms', over: 'older stats minutes are pruned and not loaded at start' },
  occupancyEventIntervalMs: {
    unit: 'ms per channel',
    over: 'occupancy changes in between are merged into the next event',
  },
  maxAnnotationsPerChannel: {
    unit: 'annotations per channel, in memory',
    over: 'the oldest messages lose their raw annotations (summaries are kept); a persisted channel reads both back from the store',
  },
  maxUnwrittenAuditRows: {
    unit: 'rows per table, in memory',
    over: 'while the store fails: the oldest unwritten rows are dropped and counted, with a warning',
  },
};
