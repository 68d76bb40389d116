import type { Channel } from '../channels/channel.js';
import { channelType, type ChannelRecord } from '../ports/audit-store.js';
import type { Store } from '../ports/store.js';

/** Registry rows per store call. */
export const CHANNEL_BATCH = 500;

/** The channel registry's write-behind state: which live channels changed since the last write. */
export interface ChannelRegistryWriter {
  /**
   * A channel was used (attached, published to, presence entered), or created at `createdAt`.
   * On the hot path: a Set add.
   */
  touch(channel: Channel, createdAt?: number): void;
  /** Writes changed channels (up to CHANNEL_BATCH); resolves true when more are pending. */
  flush(now: number): Promise<boolean>;
  /** Channels dropped from the dirty set because the store kept failing. */
  readonly dropped: number;
}

const isActive = (ch: Channel): boolean => ch.subscribers.size > 0 || ch.presence.size() > 0;

/**
 * Creates the writer. Becoming active always goes through a touch (attach and presence create or
 * look up the channel); becoming inactive does not, so each flush also rechecks the channels last
 * written as active.
 */
export function createChannelRegistryWriter(
  store: Pick<Store, 'saveChannels'>,
  maxDirty: number,
): ChannelRegistryWriter {
  const dirty = new Set<Channel>();
  const writtenActive = new Set<Channel>();
  const firstSeen = new WeakMap<Channel, number>();
  // While a channel has subscribers it is in use even if nobody publishes: the time it was last
  // seen active is its last activity, so an idle channel's retention counts from when it emptied.
  const lastSeenActive = new WeakMap<Channel, number>();
  let dropped = 0;
  const recordOf = (ch: Channel, active: boolean, now: number): ChannelRecord => {
    if (active) lastSeenActive.set(ch, now);
    const lastActivityAt = Math.max(ch.lastActivity(), lastSeenActive.get(ch) ?? 0);
    return {
      appId: ch.appId,
      name: ch.name,
      type: channelType(ch.name),
      firstActivityAt: Math.min(firstSeen.get(ch) ?? lastActivityAt, lastActivityAt),
      lastActivityAt,
      active,
    };
  };
  return {
    touch(channel, createdAt) {
      if (createdAt !== undefined) firstSeen.set(channel, createdAt);
      dirty.add(channel);
    },
    async flush(now) {
      for (const ch of writtenActive) if (!isActive(ch)) dirty.add(ch);
      if (dirty.size === 0) return false;
      const batch: Channel[] = [];
      for (const ch of dirty) {
        batch.push(ch);
        dirty.delete(ch);
        if (batch.length === CHANNEL_BATCH) break;
      }
      const states = batch.map(isActive);
      try {
        await store.saveChannels(batch.map((ch, i) => recordOf(ch, states[i]!, now)));
      } catch (err) {
        for (const ch of batch) {
          if (dirty.size >= maxDirty) dropped++;
          else dirty.add(ch);
        }
        throw err;
      }
      batch.forEach((ch, i) => (states[i] ? writtenActive.add(ch) : writtenActive.delete(ch)));
      return dirty.size > 0;
    },
    get dropped() {
      return dropped;
    },
  };
}
