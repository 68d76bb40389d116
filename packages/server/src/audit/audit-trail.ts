import type { Logger } from '../logger.js';
import type { Limits } from '../limits.js';
import type {
  ChannelQuery,
  ChannelRecord,
  ConnectionStatsQuery,
  ConnectionStatsRecord,
  EventQuery,
  EventRecord,
  StatsMinuteQuery,
  StatsMinuteRecord,
  StorePage,
} from '../ports/audit-store.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { StatsRecorder } from '../stats/stats-recorder.js';
import { startAuditRetention } from './audit-retention.js';
import {
  createChannelRegistryWriter,
  type ChannelRegistryWriter,
} from './channel-registry-writer.js';
import {
  createConnectionStatsWriter,
  type ConnectionStatsWriter,
} from './connection-stats-writer.js';
import { createEventLogWriter, type EventLogWriter } from './event-log-writer.js';
import { startFlushLoop } from './flush-loop.js';
import { createStatsPersistence, type StatsSource } from './stats-persistence.js';

/** Write-behind periods: audit rows soon (the CLI tails them), the rest coalesced longer. */
export const FLUSH_EVERY_MS = { events: 100, channels: 1000, connections: 1000, stats: 5000 };

/** How the write-behind paths are doing; nothing here ever stops the server. */
export interface AuditCounters {
  eventsPending: number;
  eventsDropped: number;
  channelsDropped: number;
  connectionsDropped: number;
  /** Store writes that failed (each retried by a later flush). */
  writeFailures: number;
}

/**
 * Read access to the operational tables for operators (dashboard, `switchboard events|channels|
 * stats` run in-process). Each read first writes what is pending, so it sees the latest activity.
 */
export interface AuditReader {
  events(query: EventQuery): Promise<StorePage<EventRecord>>;
  channels(query: ChannelQuery): Promise<StorePage<ChannelRecord>>;
  connections(query: ConnectionStatsQuery): Promise<StorePage<ConnectionStatsRecord>>;
  statsMinutes(query: StatsMinuteQuery): Promise<StatsMinuteRecord[]>;
  /** Writes everything pending now. */
  flush(): Promise<void>;
  counters(): AuditCounters;
}

/** The engine's side of the operational tables: writers for the hot paths, readers for operators. */
export interface AuditTrail extends AuditReader {
  readonly eventLog: EventLogWriter;
  readonly channelRegistry: ChannelRegistryWriter;
  readonly connectionStats: ConnectionStatsWriter;
  /** The registry as stored, without flushing first (`GET /channels` merges live channels itself). */
  storedChannels(query: ChannelQuery): Promise<StorePage<ChannelRecord>>;
  /** Stops the timers and writes what is pending (after sessions are discarded). */
  close(): Promise<void>;
}

/** What the audit trail needs from the engine. */
export interface AuditTrailOptions {
  store: Store;
  limits: Limits;
  clock: Clock;
  logger: Logger;
  stats: StatsRecorder;
  /** Where saved minutes come from, when not `stats` (a cluster's totals). */
  statsSource?: StatsSource;
}

/**
 * Starts the write-behind paths: marks channels left active by a previous run inactive, loads
 * the retained stats minutes into the recorder, then flushes each table on its period.
 */
export async function startAuditTrail(options: AuditTrailOptions): Promise<AuditTrail> {
  const { store, limits, clock, logger } = options;
  const persistence = createStatsPersistence(
    store,
    options.stats,
    limits.statsRetentionMs,
    options.statsSource,
  );
  const now = clock.now();
  try {
    // No connection survives a restart, so no channel can still be active.
    await store.deactivateChannels();
    await persistence.load(now);
  } catch (err) {
    logger.warn('Loading the channel registry and stats failed', { error: String(err) });
  }
  const max = limits.maxUnwrittenAuditRows;
  const eventLog = createEventLogWriter(store, max, () => events.kick());
  const events = startFlushLoop(
    'the events log',
    FLUSH_EVERY_MS.events,
    () => eventLog.flush(),
    logger,
  );
  const channelRegistry = createChannelRegistryWriter(store, max);
  const channels = startFlushLoop(
    'the channel registry',
    FLUSH_EVERY_MS.channels,
    () => channelRegistry.flush(clock.now()),
    logger,
  );
  const connectionStats = createConnectionStatsWriter(store, max);
  const connections = startFlushLoop(
    'connection stats',
    FLUSH_EVERY_MS.connections,
    () => connectionStats.flush(clock.now()),
    logger,
  );
  const stats = startFlushLoop(
    'stats minutes',
    FLUSH_EVERY_MS.stats,
    () => persistence.flush(clock.now()),
    logger,
  );
  const loops = [events, channels, connections, stats];
  const retention = startAuditRetention(store, limits, clock, logger);
  const flush = async (): Promise<void> => {
    await Promise.all(loops.map((l) => l.flushNow()));
  };
  return {
    eventLog,
    channelRegistry,
    connectionStats,
    flush,
    storedChannels: (q) => store.listChannels(q),
    async events(q) {
      await flush();
      return store.listEvents(q);
    },
    async channels(q) {
      await flush();
      return store.listChannels(q);
    },
    async connections(q) {
      await flush();
      return store.listConnectionStats(q);
    },
    async statsMinutes(q) {
      await flush();
      return store.listStatsMinutes(q);
    },
    counters: () => ({
      eventsPending: eventLog.pending,
      eventsDropped: eventLog.dropped,
      channelsDropped: channelRegistry.dropped,
      connectionsDropped: connectionStats.dropped,
      writeFailures: loops.reduce((n, l) => n + l.failures, 0),
    }),
    async close() {
      await retention.stop();
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
