import { Errors } from '@switchboard/protocol';
import type { Limits } from '../limits.js';
import {
  createChannel,
  type Channel,
  type ChannelOptions,
  type ChannelPersistence,
  type RestoredChannel,
} from './channel.js';
import type { HistoryWriter } from './history-writer.js';
import type { StoredAnnotations } from './stored-annotations.js';
import type { LogEntry } from './message-log.js';
import type { HistoryKind } from '../ports/history.js';

/** Which channels are persisted, where their writes go, and where their serials resume. */
export interface RegistryPersistence {
  isPersisted(appId: string, name: string): boolean;
  writer: HistoryWriter;
  /** Serial state of persisted channels not in memory (loaded at start, kept on sweep). */
  restored: Map<string, RestoredChannel>;
  /** Where a persisted channel's annotations are stored. */
  annotationsOf?(appId: string, name: string): StoredAnnotations;
}

/** The key of a channel in `RegistryPersistence.restored`. */
export const stateKey = (appId: string, name: string): string => `${appId}\n${name}`;

/** All live channels, per app; a channel exists from first use by a write or an attach. */
export interface ChannelRegistry {
  /** The channel, created if new; throws 90021 past maxChannelsPerApp. */
  get(appId: string, name: string): Channel;
  /** The channel if it exists: reads never create one. */
  peek(appId: string, name: string): Channel | undefined;
  list(appId: string): Channel[];
  dropApp(appId: string): void;
  /**
   * For a persisted channel, in memory or not: its epoch and last visible sequence (its
   * history is in the store). Undefined for channels that are not persisted.
   */
  persistedState(appId: string, name: string): { epoch: string; seq: number } | undefined;
  /** Forgets channels with no subscribers, members or recent messages. */
  sweep(now: number): void;
}

/** Creates the registry. */
export function createChannelRegistry(
  limits: Limits,
  onDelivered: (appId: string, deliveries: number, publishedAt: number) => void = () => {},
  /** Told of every write or attach that goes through `get` (the durable registry's dirty mark). */
  onUse: (channel: Channel, created: boolean) => void = () => {},
  persistence?: RegistryPersistence,
  /** Told of every write a channel shows (for a persisted channel: once stored). */
  onShown?: (channel: Channel, kind: HistoryKind, entry: LogEntry) => void,
  /** On a cluster: every channel follows the broker (see ChannelOptions.cluster). */
  cluster?: ChannelOptions['cluster'],
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
    maxAnnotations: limits.maxAnnotationsPerChannel,
    ...(cluster ? { cluster } : {}),
  };
  const appChannels = (appId: string): Map<string, Channel> => {
    let map = channels.get(appId);
    if (!map) channels.set(appId, (map = new Map()));
    return map;
  };
  const persistenceOf = (appId: string, name: string): { persistence?: ChannelPersistence } => {
    if (!persistence?.isPersisted(appId, name)) return {};
    const restored = persistence.restored.get(stateKey(appId, name));
    return {
      persistence: {
        ...(restored ? { restored } : {}),
        write: (record) => persistence.writer.write(record),
        ...(persistence.annotationsOf
          ? { annotations: persistence.annotationsOf(appId, name) }
          : {}),
      },
    };
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
        const onChannelDelivered = (n: number, at: number): void => onDelivered(appId, n, at);
        const created: Channel = createChannel(appId, name, {
          ...options,
          onDelivered: onChannelDelivered,
          ...persistenceOf(appId, name),
          ...(onShown ? { onShown: (kind, entry) => onShown(created, kind, entry) } : {}),
        });
        map.set(name, (channel = created));
        onUse(channel, true);
      }
      return channel;
    },
    peek: (appId, name) => channels.get(appId)?.get(name),
    persistedState(appId, name) {
      const live = channels.get(appId)?.get(name);
      if (live) return live.persisted ? { epoch: live.epoch, seq: live.currentSeq() } : undefined;
      if (!persistence?.isPersisted(appId, name)) return undefined;
      return persistence.restored.get(stateKey(appId, name)) ?? { epoch: '', seq: 0 };
    },
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
            ch.close();
            if (ch.persisted)
              persistence?.restored.set(stateKey(ch.appId, name), {
                epoch: ch.epoch,
                seq: ch.currentSeq(),
              });
          }
        }
      }
    },
  };
}
