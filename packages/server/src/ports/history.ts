import type { Message, PresenceMessage } from '@switchboard/protocol';

/** Which log of a channel an entry belongs to: messages, or presence events (RSP4). */
export type HistoryKind = 'message' | 'presence';

/**
 * One logged ProtocolMessage of a persisted channel: its sequence number in the channel's serial
 * space (shared by messages and presence, RTL15b) and the items it carried, in order.
 */
export interface HistoryEntryRecord {
  appId: string;
  channel: string;
  kind: HistoryKind;
  seq: number;
  timestamp: number;
  items: (Message | PresenceMessage)[];
}

/** Where a persisted channel's serial space stands: survives restarts so serials keep growing. */
export interface ChannelStateRecord {
  appId: string;
  channel: string;
  epoch: string;
  lastSeq: number;
}

/** The latest version of an earlier message, after an update, delete or append (RSL11). */
export interface LatestVersionRecord {
  /**
   * Replaces the stored latest version unless that one's `version.serial` sorts after this
   * one's: nodes of a cluster store the changes of one message in whichever order their commits
   * land, and the newest must stay.
   */
  appId: string;
  channel: string;
  /** The original's position (its serial is `<epoch>.<seq>:<index>`). */
  seq: number;
  index: number;
  message: Message;
}

/** Everything one group commit writes, in one transaction: all of it or none. */
export interface HistoryBatch {
  entries: HistoryEntryRecord[];
  latest: LatestVersionRecord[];
  states: ChannelStateRecord[];
}

/** A read of one channel's stored log. Positions are `(seq, index)` pairs. */
export interface HistoryQuery {
  appId: string;
  channel: string;
  kind: HistoryKind;
  backwards: boolean;
  /** Items to return at most. */
  limit: number;
  /** Only items after this sequence number (resume replay). */
  afterSeq?: number;
  /** Only items at or before this sequence number (`untilAttach`, RTL10b). */
  untilSeq?: number;
  /** Inclusive time window, ms. */
  start?: number;
  end?: number;
  /** Continue from this position (inclusive), in the query's direction. */
  from?: { seq: number; index: number };
  /**
   * History shows each message once in its latest version and leaves out the operations that
   * changed it; a resume replay wants every entry as it was sent.
   */
  asSent: boolean;
}

/** One stored item with its position. */
export interface HistoryItem {
  seq: number;
  index: number;
  timestamp: number;
  item: Message | PresenceMessage;
}

/** A stored message's id, its channel and when it was published. */
export interface RecentMessageId {
  appId: string;
  channel: string;
  id: string;
  timestamp: number;
}

/** The history part of the Store port: persisted channels' logs and serial state. */
export interface HistoryStore {
  /** Writes a group commit in one transaction; rejects (writing nothing) if it cannot. */
  appendHistory(batch: HistoryBatch): Promise<void>;
  /** Every persisted channel's serial state, read once at start. */
  listChannelStates(): Promise<ChannelStateRecord[]>;
  /** Items of one channel's log, in the query's direction. */
  readHistory(query: HistoryQuery): Promise<HistoryItem[]>;
  /** Deletes at most `limit` items older than `before`; returns how many. */
  pruneHistory(before: number, limit: number): Promise<number>;
  /**
   * Ids of messages stored at or after `since`, so idempotent publishing (RSL1k) still refuses a
   * repeat that arrives after a restart: a client resends what it saw no ACK for.
   */
  recentMessageIds(since: number): Promise<RecentMessageId[]>;
}
