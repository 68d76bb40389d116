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
   * Sets which occupancy events an attachment receives (from its `occupancy` ATTACH param, see
   * `occupancyCategories`; undefined for none); a new watcher hears the current figures at once,
   * as Ably sends them on attach.
   */
  watch(channel: Channel, subscriber: Subscriber, categories: Categories | undefined): void;
  /** Notes that subscribers or presence members of the channel changed. */
  changed(channel: Channel): void;
  /** Stops pending timers. */
  close(): void;
}

/** The metrics an attachment follows: every one (`all`) or the named ones. */
export type Categories = 'all' | readonly (keyof OccupancyMetrics)[];

const CATEGORY_NAMES = new Set<string>([
  'connections',
  'presenceConnections',
  'presenceMembers',
  'presenceSubscribers',
  'publishers',
  'subscribers',
]);

/**
 * Reads an `occupancy` channel param: `metrics` for every figure, `metrics.<category>` (comma
 * separated for several) for some. Undefined when absent or when it names nothing known.
 */
export function occupancyCategories(param: string | undefined): Categories | undefined {
  if (param === undefined) return undefined;
  const picked: (keyof OccupancyMetrics)[] = [];
  for (const item of param.split(',').map((p) => p.trim())) {
    if (item === 'metrics') return 'all';
    const name = item.startsWith('metrics.') ? item.slice('metrics.'.length) : '';
    if (CATEGORY_NAMES.has(name)) picked.push(name as keyof OccupancyMetrics);
  }
  return picked.length > 0 ? picked : undefined;
}

/** The figures a watcher follows. */
function pick(metrics: OccupancyMetrics, categories: Categories): Partial<OccupancyMetrics> {
  if (categories === 'all') return metrics;
  return Object.fromEntries(categories.map((c) => [c, metrics[c]]));
}

interface Watched {
  watchers: Map<Subscriber, Categories>;
  timer: ReturnType<typeof setTimeout> | undefined;
  lastSentAt: number;
  /** What each distinct category set was last sent, so only moved figures make an event. */
  lastSent: Map<string, string>;
}

/** The MESSAGE frame carrying one occupancy event (not part of the channel's serial space). */
function occupancyFrame(
  channel: Channel,
  metrics: Partial<OccupancyMetrics>,
  now: number,
): OutboundFrame {
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
    for (const w of entry.watchers.keys())
      if (!channel.subscribers.has(w)) entry.watchers.delete(w);
    if (entry.watchers.size === 0) {
      watched.delete(channel);
      return;
    }
    const metrics = metricsOf(channel);
    const now = clock.now();
    // One frame per distinct category set, built only when its figures moved.
    const frames = new Map<string, OutboundFrame | undefined>();
    for (const [w, categories] of entry.watchers) {
      const key = categories === 'all' ? 'all' : categories.join(',');
      if (!frames.has(key)) {
        const figures = pick(metrics, categories);
        const text = JSON.stringify(figures);
        const moved = entry.lastSent.get(key) !== text;
        if (moved) entry.lastSent.set(key, text);
        frames.set(key, moved ? occupancyFrame(channel, figures, now) : undefined);
      }
      const frame = frames.get(key);
      if (frame && w.live) w.send(frame);
    }
    entry.lastSentAt = now;
  };

  const changed = (channel: Channel): void => {
    const entry = watched.get(channel);
    if (!entry || entry.timer) return;
    const wait = Math.max(0, entry.lastSentAt + intervalMs - clock.now());
    entry.timer = setTimeout(() => emit(channel, entry), wait);
    entry.timer.unref?.();
  };

  return {
    watch(channel, subscriber, categories) {
      let entry = watched.get(channel);
      if (!categories) {
        entry?.watchers.delete(subscriber);
        return;
      }
      if (!entry) {
        entry = { watchers: new Map(), timer: undefined, lastSentAt: 0, lastSent: new Map() };
        watched.set(channel, entry);
      }
      entry.watchers.set(subscriber, categories);
      // After the ATTACHED (sent in this turn, or once a stored backlog is read).
      setImmediate(() => {
        if (!subscriber.live || !channel.subscribers.has(subscriber)) return;
        const figures = pick(metricsOf(channel), categories);
        subscriber.send(occupancyFrame(channel, figures, clock.now()));
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
