/**
 * The Store's operational tables: the channel registry, the audit log of published events,
 * per-connection statistics and the per-minute app stats. The engine writes them behind (in
 * batches, off the hot path); operators read them (dashboard, `switchboard events|channels|stats`).
 */

/** A page of rows and, when more exist in that direction, the opaque cursor of the next page. */
export interface StorePage<T> {
  items: T[];
  next?: string;
}

/** Where a cursor-paged query starts and which way it goes. */
export interface PageQuery {
  /** Rows per page, at least 1. */
  limit: number;
  /** Newest (or last by name) first; default oldest (or first by name) first. */
  backwards?: boolean;
  /** The `next` of an earlier page of the same query. */
  cursor?: string;
}

/** One channel an app has used, as the registry keeps it. */
export interface ChannelRecord {
  appId: string;
  name: string;
  /** The part of the name before the first `:` (`project` for `project:abc`), else the name. */
  type: string;
  firstActivityAt: number;
  lastActivityAt: number;
  /** It had subscribers or presence members when last written. */
  active: boolean;
}

/** Which channels a registry listing wants; ordered by name (UTF-8 byte order). */
export interface ChannelQuery extends PageQuery {
  appId: string;
  prefix?: string;
  activeOnly?: boolean;
}

/** How a message reached the server. */
export type EventSource = 'realtime' | 'rest' | 'batch';

/** One published message in the audit log (its payload stays in history; this is who and how). */
export interface EventRecord {
  appId: string;
  channel: string;
  /** The message's event name, if it had one. */
  name?: string;
  serial: string;
  /** Payload size in bytes, as counted for stats. */
  dataBytes: number;
  clientId?: string;
  connectionId: string;
  source: EventSource;
  timestamp: number;
}

/** Which events a query wants: `since <= timestamp < until`, ordered by time then arrival. */
export interface EventQuery extends PageQuery {
  appId: string;
  channel?: string;
  since?: number;
  until?: number;
}

/** One realtime connection's life: created when it opens, finished when it is discarded. */
export interface ConnectionStatsRecord {
  connectionId: string;
  appId: string;
  clientId?: string;
  /** What carried it: `websocket` or `sse`. */
  transport: string;
  format: 'json' | 'msgpack';
  connectedAt: number;
  disconnectedAt?: number;
  lastActivityAt: number;
  messagesIn: number;
  messagesOut: number;
  disconnectReason?: string;
}

/** Which connections a query wants: `since <= connectedAt < until`, ordered by connectedAt. */
export interface ConnectionStatsQuery extends PageQuery {
  appId: string;
  since?: number;
  until?: number;
  /** Only connections not yet finished. */
  openOnly?: boolean;
}

/** One app's stats counters for one minute (flattened entries, as `GET /stats` sums them). */
export interface StatsMinuteRecord {
  appId: string;
  /** Start of the minute, UTC ms. */
  minute: number;
  entries: Record<string, number>;
}

/** Which minutes a query wants: `since <= minute < until`, ordered by minute then app. */
export interface StatsMinuteQuery {
  appId?: string;
  since?: number;
  until?: number;
  limit?: number;
  backwards?: boolean;
}

/** The Store methods for the operational tables; every `prune*` deletes at most `limit` rows. */
export interface AuditStore {
  /**
   * Upserts registry rows by app and name; an existing row keeps its earlier `firstActivityAt`.
   */
  saveChannels(records: readonly ChannelRecord[]): Promise<void>;
  listChannels(query: ChannelQuery): Promise<StorePage<ChannelRecord>>;
  /** Marks every channel inactive (at start: no connection survives a restart). Returns how many. */
  deactivateChannels(): Promise<number>;
  /** Deletes inactive channels last active before the given time; returns how many. */
  pruneChannels(inactiveBefore: number, limit: number): Promise<number>;

  /** Appends audit rows in one transaction, in the order given. */
  appendEvents(records: readonly EventRecord[]): Promise<void>;
  listEvents(query: EventQuery): Promise<StorePage<EventRecord>>;
  pruneEvents(before: number, limit: number): Promise<number>;

  /** Upserts connection rows by connectionId. */
  saveConnectionStats(records: readonly ConnectionStatsRecord[]): Promise<void>;
  listConnectionStats(query: ConnectionStatsQuery): Promise<StorePage<ConnectionStatsRecord>>;
  /** Deletes connections that ended (or, unfinished, were last active) before the given time. */
  pruneConnectionStats(endedBefore: number, limit: number): Promise<number>;

  /** Upserts minutes by app and minute, replacing their entries (they are running totals). */
  saveStatsMinutes(records: readonly StatsMinuteRecord[]): Promise<void>;
  listStatsMinutes(query: StatsMinuteQuery): Promise<StatsMinuteRecord[]>;
  pruneStatsMinutes(before: number, limit: number): Promise<number>;
}

/** The channel type the registry records: the name up to its first `:`, else the whole name. */
export function channelType(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/**
 * Orders names as SQLite's BINARY collation does (UTF-8 bytes, i.e. code points), without
 * allocating: UTF-16 units differ from code point order only where surrogates meet U+E000–U+FFFF.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** A `time:tiebreak` cursor, split back; undefined when it is not one of ours. */
export function parseTimeCursor(cursor: string): { time: number; key: string } | undefined {
  const colon = cursor.indexOf(':');
  const time = Number(cursor.slice(0, colon));
  return colon > 0 && Number.isSafeInteger(time)
    ? { time, key: cursor.slice(colon + 1) }
    : undefined;
}
