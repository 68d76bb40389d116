import type { BrokerChannel } from '@switchboard/server';

/**
 * Where the broker keeps things under its prefix. A channel is named `<appId>:<name>`: app ids
 * hold no colon, so the name may hold anything. The kind of key comes first, so no channel name
 * can reach another kind's keys.
 */
export interface BrokerKeys {
  epoch: string;
  nodes: string;
  channelId(channel: BrokerChannel): string;
  seq(id: string): string;
  log(id: string): string;
  members(id: string): string;
  idempotency(id: string, messageId: string): string;
  topic(id: string): string;
  lease(nodeId: string): string;
  nodeChannels(nodeId: string): string;
  reapLock(nodeId: string): string;
  session(connectionId: string): string;
  takeoverTopic: string;
  revocations: string;
  revocationTopic: string;
  /** A connection's inbound budget of the current window. */
  inbound(connectionId: string): string;
  /** Where an app's minute hashes are: the minute's start (ms) follows. */
  statsMinuteBase(appId: string): string;
  /** One app's stats counters of one minute (a hash). */
  statsMinute(appId: string, minute: number): string;
  /** The minutes an app has counters for (a sorted set scored by minute). */
  statsMinutes(appId: string): string;
  /** The apps with counters, scored by their latest minute. */
  statsApps: string;
}

/** Keys under `prefix` (e.g. `sb:`). */
export function brokerKeys(prefix: string): BrokerKeys {
  return {
    epoch: `${prefix}epoch`,
    nodes: `${prefix}nodes`,
    channelId: (channel) => `${channel.appId}:${channel.name}`,
    seq: (id) => `${prefix}seq:${id}`,
    log: (id) => `${prefix}log:${id}`,
    members: (id) => `${prefix}members:${id}`,
    idempotency: (id, messageId) => `${prefix}id:${id}\n${messageId}`,
    topic: (id) => `${prefix}topic:${id}`,
    lease: (nodeId) => `${prefix}lease:${nodeId}`,
    nodeChannels: (nodeId) => `${prefix}node-channels:${nodeId}`,
    reapLock: (nodeId) => `${prefix}reap:${nodeId}`,
    session: (connectionId) => `${prefix}session:${connectionId}`,
    takeoverTopic: `${prefix}takeover`,
    revocations: `${prefix}revocations`,
    revocationTopic: `${prefix}revoked`,
    inbound: (connectionId) => `${prefix}inbound:${connectionId}`,
    statsMinuteBase: (appId) => `${prefix}stats:${appId}:`,
    statsMinute: (appId, minute) => `${prefix}stats:${appId}:${minute}`,
    statsMinutes: (appId) => `${prefix}stats-minutes:${appId}`,
    statsApps: `${prefix}stats-apps`,
  };
}
