import { Errors, PresenceAction, type PresenceMessage } from '@switchboard/protocol';
import { randomId } from '../ids.js';
import { createMemoryStatsShare } from './memory-stats-share.js';
import { INBOUND_WINDOW_MS } from './broker.js';
import {
  DEFAULT_LEASE,
  type Broker,
  type BrokerChannel,
  type BrokerEntry,
  type BrokerLeaseTimes,
  type BrokerListener,
} from './broker.js';

/** Settings shared by every node on one backend. */
export interface BrokerSettings {
  /** How many entries a channel's log keeps (the resume and rewind window). */
  windowMax: number;
  /** How long a client-supplied message id is remembered (RSL1k). */
  idempotencyWindowMs: number;
  lease?: BrokerLeaseTimes;
}

interface Member {
  event: PresenceMessage;
  nodeId: string;
}

interface ChannelState {
  seq: number;
  log: BrokerEntry[];
  ids: Map<string, number>;
  members: Map<string, Member>;
  listeners: Map<string, BrokerListener>;
}

/** The shared state of an in-process cluster: what Redis holds for the Redis broker. */
export interface MemoryBrokerBackend {
  /** A node on this backend. */
  connect(nodeId?: string): Broker;
}

/**
 * What turns a dead node's member into its LEAVE: an id that does not start with the member's
 * connectionId, so clients order it by timestamp (RTP2b1) rather than drop it as older.
 */
export const reapedLeave = (index: number, now: number) => ({
  action: PresenceAction.LEAVE,
  id: `reap${randomId(6)}:0:${index}`,
  timestamp: now,
});

const memberKey = (m: PresenceMessage): string => `${m.clientId ?? ''}\n${m.connectionId ?? ''}`;
const channelKey = (c: BrokerChannel): string => `${c.appId}\n${c.name}`;

/**
 * Creates the reference broker's shared state. Several `connect()`ed nodes in one process act
 * as a cluster (an in-process stand-in for Redis): every answer is synchronous, and delivery to
 * listeners happens inside `append`.
 */
export function createMemoryBrokerBackend(settings: BrokerSettings): MemoryBrokerBackend {
  const lease = settings.lease ?? DEFAULT_LEASE;
  const epoch = randomId(6);
  const channels = new Map<string, ChannelState>();
  const leases = new Map<string, number>();
  const stats = createMemoryStatsShare();
  // Per connection: when its inbound window opened and what it spent in it.
  const inbound = new Map<string, { start: number; spent: number }>();
  const spendInbound = (connectionId: string, cost: number, limit: number): void => {
    const now = Date.now();
    let w = inbound.get(connectionId);
    if (!w || now - w.start >= INBOUND_WINDOW_MS) {
      if (inbound.size > 10_000)
        for (const [id, old] of inbound)
          if (now - old.start >= INBOUND_WINDOW_MS) inbound.delete(id);
      inbound.set(connectionId, (w = { start: now, spent: 0 }));
    }
    w.spent += cost;
    if (w.spent > limit) throw Errors.rateLimited(limit);
  };

  const stateOf = (channel: BrokerChannel): ChannelState => {
    const key = channelKey(channel);
    let state = channels.get(key);
    if (!state) {
      state = { seq: 0, log: [], ids: new Map(), members: new Map(), listeners: new Map() };
      channels.set(key, state);
    }
    return state;
  };

  const deliver = (state: ChannelState, entry: BrokerEntry): void => {
    state.log.push(entry);
    if (state.log.length > settings.windowMax)
      state.log.splice(0, state.log.length - settings.windowMax);
    for (const listener of state.listeners.values()) listener(entry);
  };

  const applyPresence = (state: ChannelState, nodeId: string, events: PresenceMessage[]): void => {
    for (const event of events) {
      const key = memberKey(event);
      if (event.action === PresenceAction.LEAVE) state.members.delete(key);
      else state.members.set(key, { event, nodeId });
    }
  };

  const connect = (nodeId = `node-${randomId(4)}`): Broker => {
    let alive = true;
    const renew = (): void => void leases.set(nodeId, Date.now() + lease.leaseMs);
    renew();
    const timer = setInterval(renew, lease.renewMs);
    timer.unref();
    return {
      nodeId,
      epoch,
      stats,
      append(channel, write) {
        if (!alive) throw new Error('broker closed');
        if (write.inboundLimit !== undefined && write.connectionId !== undefined)
          spendInbound(write.connectionId, Math.max(1, write.items.length), write.inboundLimit);
        const state = stateOf(channel);
        const now = Date.now();
        const kept = write.items.map((_, i) => {
          const id = write.ids?.[i];
          if (id === undefined) return true;
          const at = state.ids.get(id);
          if (at !== undefined && now - at < settings.idempotencyWindowMs) return false;
          state.ids.set(id, now);
          return true;
        });
        if (state.ids.size > 10_000)
          for (const [id, at] of state.ids)
            if (now - at >= settings.idempotencyWindowMs) state.ids.delete(id);
        const items = write.items.filter((_, i) => kept[i]);
        if (items.length === 0) return { seq: undefined, kept };
        state.seq += 1;
        if (write.kind === 'presence') applyPresence(state, nodeId, items as PresenceMessage[]);
        const entry: BrokerEntry = {
          seq: state.seq,
          kind: write.kind,
          timestamp: write.timestamp,
          pmId: write.pmId,
          items,
          nodeId,
          ...(write.connectionId !== undefined ? { connectionId: write.connectionId } : {}),
        };
        deliver(state, entry);
        return { seq: entry.seq, kept };
      },
      head: (channel) => channels.get(channelKey(channel))?.seq ?? 0,
      since(channel, afterSeq) {
        const state = channels.get(channelKey(channel));
        if (!state) return afterSeq === 0 ? [] : undefined;
        const first = state.log[0]?.seq ?? state.seq + 1;
        if (afterSeq < first - 1) return undefined;
        return state.log.filter((e) => e.seq > afterSeq);
      },
      listen(channel, listener) {
        stateOf(channel).listeners.set(nodeId, listener);
      },
      unlisten(channel) {
        channels.get(channelKey(channel))?.listeners.delete(nodeId);
      },
      members: (channel) =>
        [...(channels.get(channelKey(channel))?.members.values() ?? [])].map((m) => ({
          ...m.event,
          action: PresenceAction.PRESENT,
        })),
      reapDeadNodes(now) {
        const dead = new Set(
          [...leases].filter(([, expires]) => expires <= now).map(([node]) => node),
        );
        let left = 0;
        for (const state of channels.values()) {
          const leaves = [...state.members.values()]
            .filter((m) => dead.has(m.nodeId))
            .map((m, i) => ({ ...m.event, ...reapedLeave(i, now) }));
          if (leaves.length === 0) continue;
          left += leaves.length;
          applyPresence(state, nodeId, leaves);
          state.seq += 1;
          deliver(state, {
            seq: state.seq,
            kind: 'presence',
            timestamp: now,
            pmId: `reap${randomId(6)}:0`,
            items: leaves,
            nodeId,
          });
        }
        for (const node of dead) leases.delete(node);
        return left;
      },
      healthy: () => alive,
      async close() {
        alive = false;
        clearInterval(timer);
        for (const state of channels.values()) state.listeners.delete(nodeId);
      },
    };
  };
  return { connect };
}
