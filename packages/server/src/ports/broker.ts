import type { Annotation, Message, PresenceMessage } from '@switchboard/protocol';
import type { StatsMinuteRecord } from './audit-store.js';
import type { RevocationRecord } from './store.js';

/** A channel as the broker names it: one app's channel. */
export interface BrokerChannel {
  appId: string;
  name: string;
}

/**
 * What an entry of a channel's log carries: messages (new ones, or updates, deletes and appends of
 * earlier ones, which carry `version`), presence events, or annotations of messages. All three
 * share the channel's one sequence, so every node applies them in the same order.
 */
export type BrokerEntryKind = 'message' | 'presence' | 'annotation';

/** What a node hands the broker to publish on a channel: plain data, encodable as JSON. */
export interface BrokerWrite {
  kind: BrokerEntryKind;
  timestamp: number;
  /** The ProtocolMessage id (`<connectionId>:<msgSerial>`, or a REST one). */
  pmId: string;
  connectionId?: string;
  /**
   * Messages (kind `message`) or presence events (kind `presence`: ENTER, UPDATE or LEAVE with
   * clientId and connectionId, already resolved against the member set by the owning node) or
   * annotations (kind `annotation`, stamped but without a serial: it comes from the sequence).
   */
  items: (Message | PresenceMessage | Annotation)[];
  /**
   * Per item, the client-supplied message id it is deduplicated by (RSL1k), or undefined. An item
   * whose id was published on the channel inside the idempotency window is dropped.
   */
  ids?: (string | undefined)[];
  /**
   * Set on a realtime client's own write: the connection's inbound budget (maxInboundRate,
   * publishes per second) held across nodes, so a client resumed on another node inside the
   * second does not start afresh. The write costs max(1, items) against `connectionId`'s window,
   * which opens with its first counted write and lasts a second; a write over the budget rejects
   * with 42910 (`rateLimited`) and nothing is assigned, delivered or marked as seen.
   */
  inboundLimit?: number;
}

/** One entry of a channel's shared log, as delivered to every interested node. */
export interface BrokerEntry {
  seq: number;
  kind: BrokerEntryKind;
  timestamp: number;
  pmId: string;
  connectionId?: string;
  items: (Message | PresenceMessage | Annotation)[];
  /** The node that published it. */
  nodeId: string;
}

/** What a publish gave: the entry's sequence number (none when every item was a repeat). */
export interface BrokerAppend {
  seq: number | undefined;
  /** Per item of the write: kept (true) or dropped as a repeat (false). */
  kept: boolean[];
}

/** Receives a channel's entries in sequence order. */
export type BrokerListener = (entry: BrokerEntry) => void;

/**
 * The state several nodes share so they act as one server (DESIGN.md, "scale-out"): each
 * channel's serial sequence and recent log, idempotent ids, delivery to the nodes that listen,
 * and presence with per-node leases. `runBrokerSuite` is its conformance suite.
 *
 * Results may be values or promises: the in-memory broker answers synchronously.
 */
export interface Broker {
  /** This node's id: its members and its lease carry it. */
  readonly nodeId: string;
  /**
   * The epoch of the shared serial space (the first part of every channel serial). It changes
   * only when the shared state is lost (a Redis flushed empty), so serials from before are not
   * taken for positions in the new log.
   */
  readonly epoch: string;
  /**
   * Assigns the channel's next sequence number, drops repeated ids, appends to the channel's
   * log and delivers to every listening node (this one included), atomically. For presence
   * writes the shared member set is updated in the same step. Rejects when the broker cannot
   * take the write: then nothing was assigned or delivered.
   */
  append(channel: BrokerChannel, write: BrokerWrite): BrokerAppend | Promise<BrokerAppend>;
  /** The last sequence number assigned on the channel (0 for a new channel). */
  head(channel: BrokerChannel): number | Promise<number>;
  /**
   * Entries after `afterSeq`, oldest first, at most `limit` of the newest; undefined when the
   * log no longer reaches back to `afterSeq` (it is capped).
   */
  since(
    channel: BrokerChannel,
    afterSeq: number,
  ): BrokerEntry[] | undefined | Promise<BrokerEntry[] | undefined>;
  /**
   * Starts delivering the channel's entries to this node, in sequence order; resolves once
   * delivery is on (entries appended after that are delivered). One listener per channel.
   */
  listen(channel: BrokerChannel, listener: BrokerListener): void | Promise<void>;
  /** Stops delivering the channel's entries to this node. */
  unlisten(channel: BrokerChannel): void | Promise<void>;
  /** The channel's presence members across nodes, as PRESENT entries. */
  members(channel: BrokerChannel): PresenceMessage[] | Promise<PresenceMessage[]>;
  /**
   * Removes the members of nodes whose lease ran out, publishing a LEAVE for each on its
   * channel; resolves with how many left. Every node calls it periodically.
   */
  reapDeadNodes(now: number): number | Promise<number>;
  /**
   * Where connections are recorded so another node can resume them with the same id; absent on
   * a broker that serves one node.
   */
  readonly sessions?: SessionDirectory;
  /** Token revocations every node enforces at once; absent on a broker that serves one node. */
  readonly revocations?: RevocationShare;
  /** The stats counters of every node summed; absent on a broker that serves one node. */
  readonly stats?: StatsShare;
  /** Whether the broker can take writes now (false while its backend is unreachable). */
  healthy(): boolean;
  /** Stops the lease and delivery; this node's members stay until the lease runs out. */
  close(): Promise<void>;
}

/** The window of a connection's inbound budget (`BrokerWrite.inboundLimit`). */
export const INBOUND_WINDOW_MS = 1000;

/** How long a node's lease lasts and how often it is renewed and dead nodes are looked for. */
export interface BrokerLeaseTimes {
  /** A node not heard from for this long is dead and its members leave. */
  leaseMs: number;
  /** How often a node renews its lease and looks for dead nodes. */
  renewMs: number;
}

/**
 * Default lease: 10 s, renewed and checked every 2.5 s. A dead node's members leave at most
 * leaseMs + renewMs (12.5 s) after its last renewal, inside the documented 15 s bound.
 */
export const DEFAULT_LEASE: BrokerLeaseTimes = { leaseMs: 10_000, renewMs: 2_500 };

/** The bound, documented in docs/deploy.md, within which a dead node's members leave. */
export const DEAD_NODE_BOUND_MS = 15_000;

/**
 * What another node needs to resume a connection with the same id (RTN15c6). The client
 * re-attaches its channels with their last channel serials and resends its unanswered publishes
 * itself, so neither is recorded: the channels replay from the shared log, and resends are
 * dropped by the broker's idempotency check on the connection's message ids.
 */
export interface SharedSession {
  id: string;
  /** SHA-256 (hex) of the keys the connection may be resumed with: the key itself is a secret. */
  keyHashes: string[];
  appId: string;
  clientId?: string;
  /** The node that holds it. */
  nodeId: string;
}

/** The cluster's record of resumable connections, and the notice that one moved nodes. */
export interface SessionDirectory {
  /** Writes (or refreshes) the records, each kept for `ttlMs`. */
  save(records: SharedSession[], ttlMs: number): Promise<void>;
  load(connectionId: string): Promise<SharedSession | undefined>;
  remove(connectionId: string): Promise<void>;
  /** Tells every node that this node now holds the connection (the others drop their copy). */
  takeOver(connectionId: string): Promise<void>;
  /** Called when another node took over a connection. */
  onTakenOver(handler: (connectionId: string, byNode: string) => void): void;
}

/**
 * Token revocations shared by the nodes: kept in the broker (so a node starting reads them even
 * when the nodes do not share a store) and announced to every node when made.
 */
export interface RevocationShare {
  /** Records the revocation (merged as the store merges it) and tells every other node. */
  announce(record: RevocationRecord): Promise<void>;
  /** The revocations whose `issuedBefore` is after `issuedAfter` (the ones that can still matter). */
  list(issuedAfter: number): Promise<RevocationRecord[]>;
  /** Called for each revocation another node announces. */
  onAnnounced(handler: (record: RevocationRecord) => void): void;
}

/**
 * Per-app, per-minute stats counters summed over the nodes: each node adds what it counted since
 * its last call, so `GET /stats` on any node shows the whole cluster. `.peak` entries keep the
 * maximum instead of the sum.
 */
export interface StatsShare {
  /**
   * Adds each minute's entries to the cluster's counts of that app and minute. A minute is kept
   * `ttlMs` after its last change, and an app keeps at most `maxMinutes` (the oldest go first).
   * Resolves with the minutes it could not add (the backend failed): the caller keeps them for
   * its next call, so nothing is added twice or lost while the backend is away.
   */
  add(
    minutes: readonly StatsMinuteRecord[],
    keep: { ttlMs: number; maxMinutes: number },
  ): Promise<StatsMinuteRecord[]>;
  /** The starts of the minutes the app has counts for, from `from` to `to` (both inclusive). */
  minutesOf(appId: string, from: number, to: number): Promise<number[]>;
  /** The cluster's counts of those minutes of the app; a minute without counts is left out. */
  read(appId: string, minutes: readonly number[]): Promise<StatsMinuteRecord[]>;
  /** The apps with counts in a minute at or after `minute`. */
  appsSince(minute: number): Promise<string[]>;
}
