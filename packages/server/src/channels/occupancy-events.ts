import { Action, MessageAction, type ProtocolMessage } from '@switchboard/protocol';
import { randomId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import type { Channel, Subscriber } from './channel.js';
import { channelDetails, type OccupancyMetrics } from './channel-details.js';
import { createOutboundFrame, type OutboundFrame } from './outbound-frame.js';

/**
 * `[meta]occupancy` events for attachments that asked for them with the `occupancy` channel
 * param (`metrics`, or a `metrics.*` variant). Changes are throttled per channel: at most one event
 * per interval, carrying the figures as they stand when it leaves, and none when nothing moved.
 */
export interface OccupancyEvents {
  /**
   * Sets whether an attachment receives occupancy events (from its ATTACH params); a new watcher
   * hears the current figures at once, as Ably sends them on attach.
   */
  watch(channel: Channel, subscriber: Subscriber, wanted: boolean): void;
  /** Notes that subscribers or presence members of the channel changed. */
  changed(channel: Channel): void;
  /** Stops pending timers. */
  close(): void;
}

/** Whether an `occupancy` channel param asks for metrics events. */
export function wantsOccupancy(param: string | undefined): boolean {
  return param !== undefined && (param === 'metrics' || param.startsWith('metrics.'));
}

interface Watched {
  watchers: Set<Subscriber>;
  timer: ReturnType<typeof setTimeout> | undefined;
  lastSentAt: number;
  lastSent: string;
}

/** The MESSAGE frame carrying one occupancy event (not part of the channel's serial space). */
function occupancyFrame(channel: Channel, metrics: OccupancyMetrics, now: number): OutboundFrame {
  const id = randomId(8);
  const pm: ProtocolMessage = {
    action: Action.MESSAGE,
    channel: channel.name,
    id,
    timestamp: now,
    messages: [
      {
        id: `${id}:0`,
        name: '[meta]occupancy',
        action: MessageAction.META,
        timestamp: now,
        data: JSON.stringify({ metrics }),
        encoding: 'json',
      },
    ],
  };
  return createOutboundFrame(pm);
}

/** Creates the occupancy event source; `intervalMs` is the least time between two events. */
export function createOccupancyEvents(clock: Clock, intervalMs: number): OccupancyEvents {
  const watched = new Map<Channel, Watched>();

  const metricsOf = (channel: Channel): OccupancyMetrics =>
    channelDetails(channel.name, channel).status.occupancy.metrics;

  const emit = (channel: Channel, entry: Watched): void => {
    entry.timer = undefined;
    // Watchers that detached or lost their connection are dropped here, not tracked one by one.
    for (const w of entry.watchers) if (!channel.subscribers.has(w)) entry.watchers.delete(w);
    if (entry.watchers.size === 0) {
      watched.delete(channel);
      return;
    }
    const metrics = metricsOf(channel);
    const text = JSON.stringify(metrics);
    if (text === entry.lastSent) return;
    const now = clock.now();
    entry.lastSent = text;
    entry.lastSentAt = now;
    const frame = occupancyFrame(channel, metrics, now);
    for (const w of entry.watchers) if (w.live) w.send(frame);
  };

  const changed = (channel: Channel): void => {
    const entry = watched.get(channel);
    if (!entry || entry.timer) return;
    const wait = Math.max(0, entry.lastSentAt + intervalMs - clock.now());
    entry.timer = setTimeout(() => emit(channel, entry), wait);
    entry.timer.unref?.();
  };

  return {
    watch(channel, subscriber, wanted) {
      let entry = watched.get(channel);
      if (!wanted) {
        entry?.watchers.delete(subscriber);
        return;
      }
      if (!entry) {
        entry = { watchers: new Set(), timer: undefined, lastSentAt: 0, lastSent: '' };
        watched.set(channel, entry);
      }
      entry.watchers.add(subscriber);
      // After the ATTACHED (sent in this turn, or once a stored backlog is read).
      setImmediate(() => {
        if (!subscriber.live || !channel.subscribers.has(subscriber)) return;
        subscriber.send(occupancyFrame(channel, metricsOf(channel), clock.now()));
      });
      changed(channel);
    },
    changed,
    close() {
      for (const entry of watched.values()) if (entry.timer) clearTimeout(entry.timer);
      watched.clear();
    },
  };
}
