import { Flag } from '@switchboard/protocol';
import type { Channel } from './channel.js';

/** Occupancy metrics of ChannelDetails (CHM2). */
export interface OccupancyMetrics {
  connections: number;
  presenceConnections: number;
  presenceMembers: number;
  presenceSubscribers: number;
  publishers: number;
  subscribers: number;
}

/** ChannelDetails (CHD2) as `GET /channels/{ch}` and `GET /channels?by=value` return it. */
export interface ChannelDetails {
  channelId: string;
  name: string;
  status: { isActive: boolean; occupancy: { metrics: OccupancyMetrics } };
}

const NO_METRICS: OccupancyMetrics = {
  connections: 0,
  presenceConnections: 0,
  presenceMembers: 0,
  presenceSubscribers: 0,
  publishers: 0,
  subscribers: 0,
};

/** The details of a channel live here, or of one known only from the registry (no occupancy). */
export function channelDetails(
  name: string,
  channel: Channel | undefined,
  storedActive = false,
): ChannelDetails {
  if (!channel) {
    return {
      channelId: name,
      name,
      status: { isActive: storedActive, occupancy: { metrics: { ...NO_METRICS } } },
    };
  }
  const subs = [...channel.subscribers];
  const members = channel.presence.members();
  const metrics = {
    connections: subs.length,
    presenceConnections: new Set(members.map((m) => m.connectionId)).size,
    presenceMembers: members.length,
    presenceSubscribers: subs.filter((s) => s.modes & Flag.PRESENCE_SUBSCRIBE).length,
    publishers: subs.filter((s) => s.modes & Flag.PUBLISH).length,
    subscribers: subs.filter((s) => s.modes & Flag.SUBSCRIBE).length,
  };
  return {
    channelId: name,
    name,
    status: { isActive: subs.length > 0 || members.length > 0, occupancy: { metrics } },
  };
}
