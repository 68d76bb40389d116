import * as Ably from 'ably';
import { RealtimeError, toErrorInfo } from './errors.js';
import { createListenerSet } from './listener-set.js';
import type {
  ChannelState,
  ChannelStateChange,
  PresenceMember,
  RealtimeMessage,
  RealtimeProvider,
  Unsubscribe,
} from './types.js';

/**
 * Options of the ably provider: the official client's options (`autoConnect` defaults to false
 * here, so building a client never opens a socket), or an existing `Ably.Realtime` to wrap.
 */
export type AblyProviderOptions = Ably.ClientOptions | { realtime: Ably.Realtime };

/** The provider over the official `ably` client; `realtime` is the wrapped client. */
export interface AblyProvider extends RealtimeProvider {
  readonly kind: 'ably';
  readonly realtime: Ably.Realtime;
}

type Tracked = { events: string[] | undefined; fn: (m: Ably.Message) => void };

export function createAblyProvider(options: AblyProviderOptions): AblyProvider {
  const realtime =
    'realtime' in options
      ? options.realtime
      : new Ably.Realtime({ autoConnect: false, ...options });
  const channelEvents = createListenerSet<ChannelStateChange>();
  // Channels this provider got, with the listener it put on each (removed on release).
  const hooked = new Map<
    string,
    { channel: Ably.RealtimeChannel; off: () => void; listeners: Set<Tracked> }
  >();

  const channelOf = (name: string) => {
    let h = hooked.get(name);
    if (!h) {
      const channel = realtime.channels.get(name);
      const onState = (change: Ably.ChannelStateChange): void => {
        channelEvents.emit({
          channel: name,
          previous: narrowChannelState(change.previous),
          current: narrowChannelState(change.current),
          ...(change.reason ? { reason: toErrorInfo(change.reason)! } : {}),
        });
      };
      channel.on(onState);
      h = { channel, off: () => channel.off(onState), listeners: new Set() };
      hooked.set(name, h);
    }
    return h;
  };

  const toMessage = (name: string, m: Ably.Message): RealtimeMessage => ({
    ...(m.id ? { id: m.id } : {}),
    channel: name,
    name: m.name ?? '',
    data: m.data,
    ...(m.clientId ? { clientId: m.clientId } : {}),
    ...(m.connectionId ? { connectionId: m.connectionId } : {}),
    timestamp: m.timestamp ?? Date.now(),
  });

  const wrap = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw RealtimeError.from(err);
    }
  };

  return {
    kind: 'ably',
    realtime,
    get clientId() {
      return realtime.auth.clientId ?? undefined;
    },
    get connectionState() {
      return realtime.connection.state;
    },
    connect() {
      const conn = realtime.connection;
      if (conn.state === 'connected') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const listener = (change: Ably.ConnectionStateChange): void => {
          if (change.current === 'connected') {
            conn.off(listener);
            resolve();
          } else if (change.current === 'failed' || change.current === 'closed') {
            conn.off(listener);
            reject(
              RealtimeError.from(
                change.reason ?? new RealtimeError(`Connection ${change.current}`, 80000, 400),
              ),
            );
          }
        };
        conn.on(listener);
        realtime.connect();
      });
    },
    disconnect() {
      const conn = realtime.connection;
      if (conn.state === 'closed' || conn.state === 'failed') return Promise.resolve();
      return new Promise<void>((resolve) => {
        const listener = (change: Ably.ConnectionStateChange): void => {
          if (change.current === 'closed' || change.current === 'failed') {
            conn.off(listener);
            resolve();
          }
        };
        conn.on(listener);
        realtime.close();
      });
    },
    isConnected: () => realtime.connection.state === 'connected',
    onConnectionStateChange(fn) {
      const listener = (change: Ably.ConnectionStateChange): void => {
        // `update` events (RTN24) are not state changes.
        if (change.current === change.previous) return;
        fn({
          previous: change.previous,
          current: change.current,
          ...(change.reason ? { reason: toErrorInfo(change.reason)! } : {}),
        });
      };
      realtime.connection.on(listener);
      return () => realtime.connection.off(listener);
    },
    onChannelStateChange: (fn) => channelEvents.add(fn),
    channelState(name) {
      const h = hooked.get(name);
      return h ? narrowChannelState(h.channel.state) : 'initialized';
    },
    subscribe(
      name: string,
      eventOrListener: string | string[] | ((m: RealtimeMessage) => void),
      maybe?: (m: RealtimeMessage) => void,
    ): Promise<Unsubscribe> {
      const events =
        typeof eventOrListener === 'function'
          ? undefined
          : ([] as string[]).concat(eventOrListener);
      const listener = typeof eventOrListener === 'function' ? eventOrListener : maybe;
      if (!listener) throw new TypeError('subscribe needs a listener');
      const h = channelOf(name);
      const tracked: Tracked = { events, fn: (m) => listener(toMessage(name, m)) };
      h.listeners.add(tracked);
      const attached = events
        ? h.channel.subscribe(events, tracked.fn)
        : h.channel.subscribe(tracked.fn);
      return wrap(() => attached).then(() => () => {
        h.listeners.delete(tracked);
        if (tracked.events) h.channel.unsubscribe(tracked.events, tracked.fn);
        else h.channel.unsubscribe(tracked.fn);
      });
    },
    unsubscribe(name, event) {
      const h = hooked.get(name);
      if (!h) return;
      for (const t of [...h.listeners]) {
        if (event === undefined) {
          h.listeners.delete(t);
          if (t.events) h.channel.unsubscribe(t.events, t.fn);
          else h.channel.unsubscribe(t.fn);
        } else if (t.events?.includes(event)) {
          h.channel.unsubscribe(event, t.fn);
          t.events = t.events.filter((e) => e !== event);
          if (t.events.length === 0) h.listeners.delete(t);
        }
      }
    },
    publish: (name, event, data) =>
      wrap(async () => {
        await channelOf(name).channel.publish(event, data);
      }),
    presence: {
      enter: (name, data) => wrap(() => channelOf(name).channel.presence.enter(data)),
      update: (name, data) => wrap(() => channelOf(name).channel.presence.update(data)),
      leave: (name, data) => wrap(() => channelOf(name).channel.presence.leave(data)),
      get: (name) =>
        wrap(async () => (await channelOf(name).channel.presence.get()).map((m) => toMember(m))),
      subscribe(name, fn) {
        const h = channelOf(name);
        const listener = (m: Ably.PresenceMessage): void => fn(toMember(m));
        return wrap(() => h.channel.presence.subscribe(listener)).then(() => () => {
          h.channel.presence.unsubscribe(listener);
        });
      },
    },
    history: (name, opts = {}) =>
      wrap(async () => {
        const page = await channelOf(name).channel.history({
          limit: opts.limit ?? 100,
          direction: opts.direction ?? 'backwards',
        });
        return page.items.map((m) => toMessage(name, m));
      }),
    async release(name) {
      const h = hooked.get(name);
      if (!h) return;
      hooked.delete(name);
      for (const t of h.listeners) h.channel.unsubscribe(t.fn);
      const { state } = h.channel;
      if (state === 'attached' || state === 'attaching') {
        // A detach that cannot complete (connection down) still lets the channel be released.
        await h.channel.detach().catch(() => undefined);
      }
      h.off();
      realtime.channels.release(name);
    },
  };
}

function toMember(m: Ably.PresenceMessage): PresenceMember {
  return {
    action: m.action === 'absent' ? 'leave' : m.action,
    clientId: m.clientId,
    ...(m.connectionId ? { connectionId: m.connectionId } : {}),
    data: m.data,
    timestamp: m.timestamp,
  };
}

function narrowChannelState(s: Ably.ChannelState): ChannelState {
  return s === 'suspended' ? 'detached' : s;
}
