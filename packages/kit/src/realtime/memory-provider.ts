import { MemoryErrors, RealtimeError, toErrorInfo } from './errors.js';
import { createListenerSet } from './listener-set.js';
import { createMemoryHub, type HubEntry, type HubListener, type MemoryHub } from './memory-hub.js';
import type {
  ChannelState,
  ChannelStateChange,
  ConnectionState,
  ConnectionStateChange,
  PresenceMember,
  RealtimeMessage,
  RealtimeProvider,
  Unsubscribe,
} from './types.js';

/** Options of the memory provider. */
export interface MemoryProviderOptions {
  /** The clientId this client acts as (needed for presence). */
  clientId?: string;
  /** The hub shared with the clients this one should see; a private hub when not given. */
  hub?: MemoryHub;
  /** Deliver this client's own messages back to it (default true, as Ably's echoMessages). */
  echoMessages?: boolean;
}

/**
 * The in-process provider, with what tests need to drive a connection through its states as a
 * network would: a disconnection that resumes without losing messages, a suspension that drops
 * the client's presence, a failure.
 */
export interface MemoryProvider extends RealtimeProvider {
  readonly kind: 'memory';
  readonly hub: MemoryHub;
  /** The transport dropped: `disconnected`; messages wait in the hub until `simulateReconnect`. */
  simulateDisconnect(reason?: string): void;
  /** Offline too long: `suspended`; this client's presence members leave, queued operations fail. */
  simulateSuspend(): void;
  /** Back online: `connecting` then `connected`, replaying missed messages and re-entering presence (RTN15, RTP17). */
  simulateReconnect(): Promise<void>;
  /** A fatal error: `failed`; operations reject until `connect()` again. */
  simulateFailure(reason?: string): void;
  /** How many times a channel went to `attached` on this client. */
  attachCount(channel: string): number;
}

type MessageListener = { events: string[] | undefined; fn: (m: RealtimeMessage) => void };

interface LocalChannel {
  state: ChannelState;
  lastSerial: number;
  listeners: Set<MessageListener>;
  presenceListeners: Set<(m: PresenceMember) => void>;
  /** What this client entered, for re-entering after a suspension (RTP17). */
  entered: { data: unknown } | undefined;
}

let connectionCounter = 0;

export function createMemoryProvider(options: MemoryProviderOptions = {}): MemoryProvider {
  const hub = options.hub ?? createMemoryHub();
  const clientId = options.clientId;
  const echo = options.echoMessages ?? true;
  const connectionEvents = createListenerSet<ConnectionStateChange>();
  const channelEvents = createListenerSet<ChannelStateChange>();
  const channels = new Map<string, LocalChannel>();
  // Kept across release, so tests can tell a re-attach from a channel that stayed attached.
  const attachTotals = new Map<string, number>();
  let state: ConnectionState = 'initialized';
  let connectionId = '';
  let waiters: { resolve: () => void; reject: (e: RealtimeError) => void }[] = [];
  let failure: RealtimeError | undefined;

  // Read through a function: TypeScript narrows `state` across awaits otherwise.
  const currentState = (): ConnectionState => state;

  const local = (name: string): LocalChannel => {
    let ch = channels.get(name);
    if (!ch) {
      ch = {
        state: 'initialized',
        lastSerial: 0,
        listeners: new Set(),
        presenceListeners: new Set(),
        entered: undefined,
      };
      channels.set(name, ch);
    }
    return ch;
  };

  const setChannelState = (name: string, ch: LocalChannel, current: ChannelState): void => {
    const previous = ch.state;
    if (previous === current) return;
    ch.state = current;
    if (current === 'attached') attachTotals.set(name, (attachTotals.get(name) ?? 0) + 1);
    channelEvents.emit({ channel: name, previous, current });
  };

  const transition = (current: ConnectionState, reason?: RealtimeError): void => {
    const previous = state;
    if (previous === current) return;
    state = current;
    connectionEvents.emit({
      previous,
      current,
      ...(reason ? { reason: toErrorInfo(reason)! } : {}),
    });
    if (current === 'connected') {
      const w = waiters;
      waiters = [];
      for (const x of w) x.resolve();
    } else if (current === 'suspended' || current === 'closed' || current === 'failed') {
      const err =
        current === 'failed'
          ? (reason ?? MemoryErrors.connectionFailed())
          : current === 'closed'
            ? MemoryErrors.connectionClosed()
            : MemoryErrors.connectionSuspended();
      const w = waiters;
      waiters = [];
      for (const x of w) x.reject(err);
    }
  };

  const dispatch = (name: string, entry: HubEntry): void => {
    const ch = channels.get(name);
    if (!ch || ch.state !== 'attached' || entry.serial <= ch.lastSerial) return;
    ch.lastSerial = entry.serial;
    // Delivered on a later tick, as from a network: a publish resolves before listeners run.
    queueMicrotask(() => {
      if (ch.state !== 'attached') return;
      if (entry.kind === 'message') {
        if (!echo && entry.message.connectionId === connectionId) return;
        for (const l of [...ch.listeners]) {
          if (!l.events || l.events.includes(entry.message.name)) safe(() => l.fn(entry.message));
        }
      } else {
        for (const l of [...ch.presenceListeners]) safe(() => l(entry.member));
      }
    });
  };

  const listener: HubListener = {
    get connectionId() {
      return connectionId;
    },
    deliver(name, entry) {
      // Not connected: the entry stays in the hub's log and is replayed on resume.
      if (state === 'connected') dispatch(name, entry);
    },
  };

  const ready = (): Promise<void> => {
    if (state === 'connected') return Promise.resolve();
    if (state === 'failed') return Promise.reject(failure ?? MemoryErrors.connectionFailed());
    if (state === 'closed' || state === 'closing')
      return Promise.reject(MemoryErrors.connectionClosed());
    if (state === 'suspended') return Promise.reject(MemoryErrors.connectionSuspended());
    // initialized, connecting, disconnected: queued until connected (Ably's queueMessages).
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };

  const attach = async (name: string): Promise<LocalChannel> => {
    await ready();
    const ch = local(name);
    if (ch.state !== 'attached') {
      setChannelState(name, ch, 'attaching');
      hub.attach(name, listener);
      ch.lastSerial = hub.lastSerial(name);
      setChannelState(name, ch, 'attached');
    }
    return ch;
  };

  const leaveAll = (): void => {
    for (const [name, ch] of channels) {
      if (ch.entered && clientId)
        hub.presence(name, { action: 'leave', clientId, connectionId, data: undefined });
    }
  };

  /** Back to connected after a drop: replay what the hub logged meanwhile, then re-enter presence. */
  const resume = (): void => {
    transition('connected');
    for (const [name, ch] of channels) {
      if (ch.state !== 'attached') continue;
      for (const entry of hub.entriesAfter(name, ch.lastSerial)) dispatch(name, entry);
      const mine = hub
        .members(name)
        .some((m) => m.clientId === clientId && m.connectionId === connectionId);
      if (ch.entered && clientId && !mine) {
        hub.presence(name, { action: 'enter', clientId, connectionId, data: ch.entered.data });
      }
    }
  };

  const provider: MemoryProvider = {
    kind: 'memory',
    hub,
    clientId,
    get connectionState() {
      return state;
    },
    async connect() {
      if (state === 'connected') return;
      if (state === 'connecting') return ready();
      const fresh = state === 'initialized' || state === 'closed' || state === 'failed';
      failure = undefined;
      if (fresh) connectionId = `mem-${++connectionCounter}`;
      transition('connecting');
      await Promise.resolve();
      // disconnect() or a simulated fault may have run meanwhile.
      if (currentState() !== 'connecting') return ready();
      resume();
    },
    async disconnect() {
      if (state === 'closed' || state === 'initialized') {
        transition('closed');
        return;
      }
      transition('closing');
      leaveAll();
      for (const [name, ch] of channels) {
        hub.detach(name, listener);
        ch.entered = undefined;
        setChannelState(name, ch, 'detached');
      }
      channels.clear();
      transition('closed');
    },
    isConnected: () => state === 'connected',
    onConnectionStateChange: (fn) => connectionEvents.add(fn),
    onChannelStateChange: (fn) => channelEvents.add(fn),
    channelState: (name) => channels.get(name)?.state ?? 'initialized',
    subscribe(
      name: string,
      eventOrListener: string | string[] | ((m: RealtimeMessage) => void),
      maybe?: (m: RealtimeMessage) => void,
    ): Promise<Unsubscribe> {
      const events =
        typeof eventOrListener === 'function'
          ? undefined
          : ([] as string[]).concat(eventOrListener);
      const fn = typeof eventOrListener === 'function' ? eventOrListener : maybe;
      if (!fn) throw new TypeError('subscribe needs a listener');
      const entry: MessageListener = { events, fn };
      local(name).listeners.add(entry);
      return attach(name).then(() => () => {
        channels.get(name)?.listeners.delete(entry);
      });
    },
    unsubscribe(name, event) {
      const ch = channels.get(name);
      if (!ch) return;
      for (const l of [...ch.listeners]) {
        if (event === undefined) ch.listeners.delete(l);
        else if (l.events?.includes(event)) {
          l.events = l.events.filter((e) => e !== event);
          if (l.events.length === 0) ch.listeners.delete(l);
        }
      }
    },
    async publish(name, event, data) {
      if (!isSupportedData(data)) throw MemoryErrors.unsupportedData();
      await ready();
      hub.publish(name, {
        name: event,
        data,
        timestamp: Date.now(),
        connectionId,
        ...(clientId ? { clientId } : {}),
      });
    },
    presence: {
      async enter(name, data) {
        if (!clientId) throw MemoryErrors.noClientId();
        const ch = await attach(name);
        ch.entered = { data };
        hub.presence(name, { action: 'enter', clientId, connectionId, data });
      },
      async update(name, data) {
        if (!clientId) throw MemoryErrors.noClientId();
        const ch = await attach(name);
        ch.entered = { data };
        // An update of an absent member enters it (RTP9d).
        hub.presence(name, { action: 'update', clientId, connectionId, data });
      },
      async leave(name, data) {
        if (!clientId) throw MemoryErrors.noClientId();
        const ch = await attach(name);
        ch.entered = undefined;
        hub.presence(name, { action: 'leave', clientId, connectionId, data });
      },
      async get(name) {
        await attach(name);
        return hub.members(name);
      },
      subscribe(name, fn) {
        const ch = local(name);
        const entry = (m: PresenceMember): void => fn(m);
        ch.presenceListeners.add(entry);
        return attach(name).then(() => () => {
          channels.get(name)?.presenceListeners.delete(entry);
        });
      },
    },
    async history(name, opts = {}) {
      const limit = opts.limit ?? 100;
      const all = hub.history(name);
      const ordered = opts.direction === 'forwards' ? all : [...all].reverse();
      return ordered.slice(0, limit).map((m) => ({ ...m }));
    },
    async release(name) {
      const ch = channels.get(name);
      if (!ch) return;
      if (ch.state === 'attached') {
        setChannelState(name, ch, 'detaching');
        // Detaching leaves presence on the server side, as Ably does for the connection's members.
        if (ch.entered && clientId && state === 'connected') {
          hub.presence(name, { action: 'leave', clientId, connectionId, data: undefined });
        }
        hub.detach(name, listener);
        setChannelState(name, ch, 'detached');
      }
      channels.delete(name);
    },
    simulateDisconnect(reason) {
      if (state !== 'connected' && state !== 'connecting') return;
      transition(
        'disconnected',
        new RealtimeError(reason ?? 'Connection to server temporarily unavailable', 80003, 400),
      );
    },
    simulateSuspend() {
      if (state === 'closed' || state === 'failed' || state === 'initialized') return;
      if (state === 'connected') transition('disconnected', MemoryErrors.disconnected());
      for (const [name, ch] of channels) {
        if (ch.entered && clientId)
          hub.presence(name, { action: 'leave', clientId, connectionId, data: undefined });
      }
      transition('suspended', MemoryErrors.connectionSuspended());
    },
    async simulateReconnect() {
      if (state !== 'disconnected' && state !== 'suspended') return;
      transition('connecting');
      await Promise.resolve();
      if (currentState() === 'connecting') resume();
    },
    simulateFailure(reason) {
      failure = MemoryErrors.connectionFailed(reason);
      leaveAll();
      for (const [name, ch] of channels) {
        hub.detach(name, listener);
        setChannelState(name, ch, 'failed');
      }
      channels.clear();
      transition('failed', failure);
    },
    attachCount: (name) => attachTotals.get(name) ?? 0,
  };
  return provider;
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('realtime listener threw', err);
  }
}

/** What Ably can carry as message data: nothing, a string, bytes, or JSON objects and arrays. */
function isSupportedData(data: unknown): boolean {
  if (data === undefined || data === null || typeof data === 'string') return true;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return true;
  if (Array.isArray(data)) return true;
  if (typeof data !== 'object') return false;
  const proto = Object.getPrototypeOf(data) as unknown;
  return proto === Object.prototype || proto === null;
}
