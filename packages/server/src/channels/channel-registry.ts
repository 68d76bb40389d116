import { Errors } from '@switchboard/protocol';
import type { Limits } from '../limits.js';
import { createChannel, type Channel } from './channel.js';

/** All live channels, per app; a channel exists from first use by a write or an attach. */
export interface ChannelRegistry {
  /** The channel, created if new; throws 90021 past maxChannelsPerApp. */
  get(appId: string, name: string): Channel;
  /** The channel if it exists: reads never create one. */
  peek(appId: string, name: string): Channel | undefined;
  list(appId: string): Channel[];
  dropApp(appId: string): void;
  /** Forgets channels with no subscribers, members or recent messages. */
  sweep(now: number): void;
}

/** Creates the registry. */
export function createChannelRegistry(
  limits: Limits,
  onDelivered: (appId: string, deliveries: number) => void = () => {},
  /** Told of every write or attach that goes through `get` (the durable registry's dirty mark). */
  onUse: (channel: Channel, created: boolean) => void = () => {},
): ChannelRegistry {
  const channels = new Map<string, Map<string, Channel>>();
  const options = {
    retention: {
      minCount: limits.historyMinMessages,
      minAgeMs: limits.historyMinAgeMs,
      maxCount: limits.historyMaxMessages,
    },
    versions: { perMessage: limits.maxVersionsPerMessage, bytes: limits.maxVersionBytesPerChannel },
    idempotencyWindowMs: limits.idempotencyWindowMs,
  };
  const appChannels = (appId: string): Map<string, Channel> => {
    let map = channels.get(appId);
    if (!map) channels.set(appId, (map = new Map()));
    return map;
  };
  return {
    get(appId, name) {
      const map = appChannels(appId);
      let channel = map.get(name);
      if (channel) onUse(channel, false);
      else {
        if (map.size >= limits.maxChannelsPerApp) {
          throw Errors.tooManyChannelsInApp(limits.maxChannelsPerApp);
        }
        const onChannelDelivered = (n: number): void => onDelivered(appId, n);
        map.set(
          name,
          (channel = createChannel(appId, name, { ...options, onDelivered: onChannelDelivered })),
        );
        onUse(channel, true);
      }
      return channel;
    },
    peek: (appId, name) => channels.get(appId)?.get(name),
    list: (appId) => [...(channels.get(appId)?.values() ?? [])],
    dropApp: (appId) => void channels.delete(appId),
    sweep(now) {
      const idleFor = Math.max(limits.historyMinAgeMs, limits.connectionStateTtlMs) * 2;
      for (const map of channels.values()) {
        for (const [name, ch] of map) {
          if (
            ch.subscribers.size === 0 &&
            ch.presence.size() === 0 &&
            now - ch.lastActivity() > idleFor
          ) {
            map.delete(name);
          }
        }
      }
    },
  };
}
