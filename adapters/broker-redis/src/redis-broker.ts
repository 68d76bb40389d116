import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Errors, PresenceAction, type PresenceMessage } from '@switchboard/protocol';
import {
  DEFAULT_LEASE,
  INBOUND_WINDOW_MS,
  reapedLeave,
  type Broker,
  type BrokerChannel,
  type BrokerEntry,
  type BrokerSettings,
  type BrokerWrite,
  type Logger,
  type RevocationRecord,
  type RevocationShare,
  type SessionDirectory,
  type SharedSession,
} from '@switchboard/server';
import { APPEND_SCRIPT } from './append-script.js';
import { brokerKeys } from './keys.js';
import { decodeItem, encodeItem } from './item-codec.js';
import { createOrderedDelivery, type OrderedDelivery } from './ordered-delivery.js';
import { createRedisStatsShare } from './redis-stats-share.js';

/** Where the Redis broker connects and what it shares with the other nodes. */
export interface RedisBrokerOptions extends BrokerSettings {
  /** `redis://host:port/db` (REDIS_URL). */
  url: string;
  /** Key and topic prefix: nodes of one cluster share it (default `sb:`). */
  prefix?: string;
  /** This node's id (default: random). */
  nodeId?: string;
  logger?: Logger;
  /** A command not answered in this time fails (ms, default 2000): a publish then NACKs. */
  commandTimeoutMs?: number;
}

type AppendReply = [number, number[]];
type RedisWithAppend = Redis & {
  sbAppend(numKeys: number, ...args: (string | number)[]): Promise<AppendReply>;
};

const memberKey = (m: PresenceMessage): string => `${m.clientId ?? ''}\n${m.connectionId ?? ''}`;

/** A field list of a stream entry, `['e', json]`, back to the entry. */
const entryOf = (fields: string[]): BrokerEntry => decodeItem<BrokerEntry>(fields[1] ?? '{}');

/**
 * Connects a node to the cluster's Redis: one connection for commands, one for pub/sub. A
 * command fails at once while Redis is unreachable (no offline queue), so a publish is NACKed
 * rather than held; both connections reconnect on their own.
 */
export async function createRedisBroker(options: RedisBrokerOptions): Promise<Broker> {
  const keys = brokerKeys(options.prefix ?? 'sb:');
  const nodeId = options.nodeId ?? `node-${randomBytes(4).toString('hex')}`;
  const lease = options.lease ?? DEFAULT_LEASE;
  const logger = options.logger;
  const redisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
    lazyConnect: true,
  };
  // Publishes of one event-loop turn leave in one write (auto-pipelining): a write per command
  // was the largest cost of the node's publish path.
  const cmd = new Redis(options.url, {
    ...redisOptions,
    enableAutoPipelining: true,
  }) as RedisWithAppend;
  // The subscriber queues its SUBSCRIBEs while down: ioredis sends them again on reconnect.
  const sub = new Redis(options.url, { ...redisOptions, enableOfflineQueue: true });
  // One line when Redis goes away and one when it is back, not one per reconnect attempt.
  let wasReady = false;
  let up = false;
  for (const [name, conn] of [
    ['commands', cmd],
    ['pub/sub', sub],
  ] as const) {
    conn.on('error', (err: Error) => {
      if (up)
        logger?.warn('redis broker connection error', { connection: name, error: err.message });
    });
  }
  cmd.on('ready', () => {
    if (wasReady && !up) {
      logger?.info('redis broker reconnected', { nodeId });
      // Reads that failed while it was down are due now too (the pub/sub side asks on its own).
      deliveries.forEach((delivery) => delivery.catchUp());
    }
    up = true;
  });
  cmd.on('close', () => {
    if (up)
      logger?.warn('redis broker unreachable: publishes are refused until it returns', { nodeId });
    up = false;
  });
  cmd.defineCommand('sbAppend', { lua: APPEND_SCRIPT });
  const stats = createRedisStatsShare(cmd, keys);
  await cmd.connect();
  await sub.connect();
  wasReady = true;
  await cmd.set(keys.epoch, randomBytes(4).toString('hex'), 'NX');
  const epoch = (await cmd.get(keys.epoch)) ?? '';

  const renew = async (): Promise<void> => {
    await cmd
      .multi()
      .set(keys.lease(nodeId), '1', 'PX', lease.leaseMs)
      .sadd(keys.nodes, nodeId)
      .exec();
  };
  const deliveries = new Map<string, OrderedDelivery>();
  // After a reconnect ioredis subscribes again; a PING answered after those SUBSCRIBEs marks
  // the point from which pub/sub delivers, and what was published before it is read from the log.
  let subscribedOnce = false;
  sub.on('ready', () => {
    if (!subscribedOnce) return void (subscribedOnce = true);
    // 'ready' is emitted before ioredis sends the SUBSCRIBEs again: ping once they are queued.
    setImmediate(() =>
      sub.ping().then(
        () => deliveries.forEach((delivery) => delivery.catchUp()),
        () => {},
      ),
    );
  });
  const takeoverHandlers: ((connectionId: string, byNode: string) => void)[] = [];
  const revocationHandlers: ((record: RevocationRecord) => void)[] = [];
  await sub.subscribe(keys.takeoverTopic, keys.revocationTopic);
  sub.on('message', (topic: string, payload: string) => {
    if (topic === keys.revocationTopic) {
      const { record, byNode } = decodeItem<{ record: RevocationRecord; byNode: string }>(payload);
      if (byNode !== nodeId) revocationHandlers.forEach((handler) => handler(record));
      return;
    }
    if (topic === keys.takeoverTopic) {
      const { connectionId, byNode } = decodeItem<{ connectionId: string; byNode: string }>(
        payload,
      );
      if (byNode !== nodeId) takeoverHandlers.forEach((handler) => handler(connectionId, byNode));
      return;
    }
    deliveries.get(topic)?.receive(decodeItem<BrokerEntry>(payload));
  });

  const readRange = async (id: string, afterSeq: number, untilSeq?: number) => {
    const until = untilSeq === undefined ? '+' : `${untilSeq}-0`;
    const rows = await cmd.xrange(keys.log(id), `${afterSeq + 1}-0`, until);
    return rows.map(([, fields]) => entryOf(fields));
  };

  const appendRaw = async (channel: BrokerChannel, write: BrokerWrite, writer: string) => {
    const id = keys.channelId(channel);
    const { items } = write;
    const fields = JSON.stringify({
      kind: write.kind,
      timestamp: write.timestamp,
      pmId: write.pmId,
      nodeId: writer,
      ...(write.connectionId !== undefined ? { connectionId: write.connectionId } : {}),
    }).slice(1, -1);
    const idKeys = items.map((_, i) => {
      const messageId = write.ids?.[i];
      return messageId === undefined ? '' : keys.idempotency(id, messageId);
    });
    const ops = items.map((item) => {
      if (write.kind !== 'presence') return '';
      const m = item as PresenceMessage;
      return `${m.action === PresenceAction.LEAVE ? 'd' : 's'}${memberKey(m)}`;
    });
    const limit = write.connectionId === undefined ? 0 : (write.inboundLimit ?? 0);
    const keyList = [
      keys.epoch,
      keys.seq(id),
      keys.log(id),
      keys.members(id),
      keys.nodeChannels(writer),
      limit > 0 ? keys.inbound(write.connectionId!) : '',
      ...idKeys,
    ];
    const [seq, kept] = await cmd
      .sbAppend(
        keyList.length,
        ...keyList,
        epoch,
        options.windowMax,
        options.idempotencyWindowMs,
        fields,
        items.length,
        writer,
        id,
        keys.topic(id),
        limit,
        INBOUND_WINDOW_MS,
        ...items.map((item) => encodeItem(item)),
        ...ops,
      )
      .catch((err: unknown) => {
        throw err instanceof Error && err.message.startsWith('RATE')
          ? Errors.rateLimited(limit)
          : err;
      });
    return { seq: seq === 0 ? undefined : seq, kept: kept.map((k) => k === 1) };
  };

  /** Removes one dead node's members, channel by channel, with a LEAVE on each. */
  const reapNode = async (dead: string, now: number): Promise<number> => {
    // One survivor reaps a node; the others find its members gone.
    if (!(await cmd.set(keys.reapLock(dead), nodeId, 'PX', lease.leaseMs, 'NX'))) return 0;
    let left = 0;
    for (const id of await cmd.smembers(keys.nodeChannels(dead))) {
      const colon = id.indexOf(':');
      const channel = { appId: id.slice(0, colon), name: id.slice(colon + 1) };
      const leaves: PresenceMessage[] = [];
      for (const value of await cmd.hvals(keys.members(id))) {
        const nl = value.indexOf('\n');
        if (value.slice(0, nl) !== dead) continue;
        const member = decodeItem<PresenceMessage>(value.slice(nl + 1));
        leaves.push({ ...member, ...reapedLeave(leaves.length, now) });
      }
      if (leaves.length === 0) continue;
      await appendRaw(
        channel,
        {
          kind: 'presence',
          timestamp: now,
          pmId: `reap${randomBytes(3).toString('hex')}:0`,
          items: leaves,
        },
        nodeId,
      );
      left += leaves.length;
    }
    await cmd.multi().del(keys.nodeChannels(dead)).srem(keys.nodes, dead).exec();
    logger?.info('dead node reaped', { nodeId: dead, membersLeft: left });
    return left;
  };

  // A node restarted under the same id (a stable SWITCHBOARD_NODE_ID, as systemd and compose
  // deployments set it) finds a fresh lease, so nobody would ever reap the members its previous
  // run left when it died: it takes them out itself, before its lease says it is alive.
  await reapNode(nodeId, Date.now());
  if ((await cmd.get(keys.reapLock(nodeId))) === nodeId) await cmd.del(keys.reapLock(nodeId));
  await renew();
  const renewTimer = setInterval(() => renew().catch(() => {}), lease.renewMs);
  renewTimer.unref();

  const sessions: SessionDirectory = {
    async save(records, ttlMs) {
      if (records.length === 0) return;
      // A pipeline, not a transaction: a refresh of many records must not hold Redis in one step.
      const batch = cmd.pipeline();
      for (const record of records)
        batch.set(keys.session(record.id), JSON.stringify(record), 'PX', ttlMs);
      await batch.exec();
    },
    async load(connectionId) {
      const value = await cmd.get(keys.session(connectionId));
      return value === null ? undefined : decodeItem<SharedSession>(value);
    },
    async remove(connectionId) {
      await cmd.del(keys.session(connectionId));
    },
    async takeOver(connectionId) {
      await cmd.publish(keys.takeoverTopic, JSON.stringify({ connectionId, byNode: nodeId }));
    },
    onTakenOver(handler) {
      takeoverHandlers.push(handler);
    },
  };

  const revocationField = (r: RevocationRecord): string => `${r.keyName}\n${r.clientId}`;
  const revocations: RevocationShare = {
    async announce(record) {
      // Merged as every node merges it: the later issuedBefore and the earlier appliesAt.
      const stored = await cmd.hget(keys.revocations, revocationField(record));
      const previous = stored === null ? undefined : decodeItem<RevocationRecord>(stored);
      const merged: RevocationRecord = {
        ...record,
        issuedBefore: Math.max(previous?.issuedBefore ?? 0, record.issuedBefore),
        appliesAt: Math.min(previous?.appliesAt ?? Infinity, record.appliesAt),
      };
      await cmd
        .multi()
        .hset(keys.revocations, revocationField(merged), JSON.stringify(merged))
        .publish(keys.revocationTopic, JSON.stringify({ record: merged, byNode: nodeId }))
        .exec();
    },
    async list(issuedAfter) {
      const all = Object.values(await cmd.hgetall(keys.revocations)).map((v) =>
        decodeItem<RevocationRecord>(v),
      );
      // Those that can no longer matter are dropped here, by whichever node starts.
      const stale = all.filter((r) => r.issuedBefore <= issuedAfter).map(revocationField);
      if (stale.length > 0) await cmd.hdel(keys.revocations, ...stale);
      return all.filter((r) => r.issuedBefore > issuedAfter);
    },
    onAnnounced(handler) {
      revocationHandlers.push(handler);
    },
  };

  return {
    nodeId,
    epoch,
    sessions,
    revocations,
    stats,
    append: (channel, write) => appendRaw(channel, write, nodeId),
    async head(channel) {
      return Number((await cmd.get(keys.seq(keys.channelId(channel)))) ?? 0);
    },
    async since(channel, afterSeq) {
      const id = keys.channelId(channel);
      const [head, first] = await Promise.all([
        cmd.get(keys.seq(id)).then((v) => Number(v ?? 0)),
        cmd.xrange(keys.log(id), '-', '+', 'COUNT', 1),
      ]);
      const firstSeq = first[0] ? entryOf(first[0][1]).seq : head + 1;
      if (afterSeq < firstSeq - 1) return undefined;
      return afterSeq >= head ? [] : readRange(id, afterSeq, head);
    },
    async listen(channel, listener) {
      const id = keys.channelId(channel);
      const topic = keys.topic(id);
      const delivery = createOrderedDelivery(
        listener,
        (after, until) => readRange(id, after, until),
        (after, until) =>
          logger?.warn('broker entries lost beyond the log window', { channel: id, after, until }),
      );
      deliveries.set(topic, delivery);
      await sub.subscribe(topic);
      delivery.startAfter(Number((await cmd.get(keys.seq(id))) ?? 0));
    },
    async unlisten(channel) {
      const topic = keys.topic(keys.channelId(channel));
      deliveries.get(topic)?.stop();
      deliveries.delete(topic);
      await sub.unsubscribe(topic);
    },
    async members(channel) {
      return (await cmd.hvals(keys.members(keys.channelId(channel)))).map((value) => ({
        ...decodeItem<PresenceMessage>(value.slice(value.indexOf('\n') + 1)),
        action: PresenceAction.PRESENT,
      }));
    },
    async reapDeadNodes(now) {
      let left = 0;
      for (const node of await cmd.smembers(keys.nodes)) {
        if (node === nodeId || (await cmd.exists(keys.lease(node)))) continue;
        left += await reapNode(node, now);
      }
      return left;
    },
    healthy: () => cmd.status === 'ready',
    async close() {
      clearInterval(renewTimer);
      deliveries.forEach((delivery) => delivery.stop());
      deliveries.clear();
      // QUIT is answered after what is pending (the leaves of the last sessions) has run.
      await cmd.quit().catch(() => cmd.disconnect());
      sub.disconnect();
    },
  };
}
