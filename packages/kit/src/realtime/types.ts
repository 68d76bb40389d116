/**
 * The provider-agnostic realtime interface: what an app needs from a pub/sub service, with the
 * Ably semantics the providers share (implicit attach on subscribe, presence by clientId,
 * newest-first history, the Ably connection state names).
 */

/** Connection states, named as Ably names them (RTN4). */
export type ConnectionState =
  | 'initialized'
  | 'connecting'
  | 'connected'
  | 'disconnected'
  | 'suspended'
  | 'closing'
  | 'closed'
  | 'failed';

/** Channel states a provider reports (a subset of Ably's RTL2). */
export type ChannelState =
  'initialized' | 'attaching' | 'attached' | 'detaching' | 'detached' | 'failed';

/** An error in the shape of Ably's ErrorInfo. */
export interface RealtimeErrorInfo {
  message: string;
  code: number;
  statusCode: number;
}

/** One connection state change: where from, where to, and why. */
export interface ConnectionStateChange {
  previous: ConnectionState;
  current: ConnectionState;
  reason?: RealtimeErrorInfo;
}

/** One channel state change. */
export interface ChannelStateChange {
  channel: string;
  previous: ChannelState;
  current: ChannelState;
  reason?: RealtimeErrorInfo;
}

/** A message as subscribers and history see it. */
export interface RealtimeMessage<T = unknown> {
  id?: string;
  channel: string;
  name: string;
  data: T;
  clientId?: string;
  connectionId?: string;
  timestamp: number;
}

/** Presence actions as subscribers see them (`present` comes from a sync, never as an event here). */
export type PresenceAction = 'enter' | 'update' | 'leave' | 'present';

/** A member of a channel's presence set, or one presence event. */
export interface PresenceMember<T = unknown> {
  action: PresenceAction;
  clientId: string;
  connectionId?: string;
  data: T;
  timestamp: number;
}

/** Stops one listener; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Options of `history`. */
export interface HistoryOptions {
  /** At most this many messages (default 100). */
  limit?: number;
  /** `backwards` (newest first, the default as in Ably RSL2b) or `forwards`. */
  direction?: 'backwards' | 'forwards';
}

/** Presence operations, per channel. The client's own clientId is the member. */
export interface RealtimePresence {
  enter(channel: string, data?: unknown): Promise<void>;
  update(channel: string, data?: unknown): Promise<void>;
  leave(channel: string, data?: unknown): Promise<void>;
  /** The current members once the set is in sync. */
  get(channel: string): Promise<PresenceMember[]>;
  /** Presence events (enter, update, leave) from now on; resolves once attached. */
  subscribe(channel: string, listener: (member: PresenceMember) => void): Promise<Unsubscribe>;
}

/**
 * One realtime client. Providers never connect on construction: `connect()` does, so a client can
 * be built during server-side rendering and handed to a React tree without opening a socket.
 */
export interface RealtimeProvider {
  /** `ably` or `memory`. */
  readonly kind: string;
  /** The clientId this client acts as, when it has one. */
  readonly clientId: string | undefined;
  /** Current connection state. */
  readonly connectionState: ConnectionState;
  /** Resolves once connected; rejects if the connection fails. */
  connect(): Promise<void>;
  /** Closes the connection (members this client entered leave); resolves once closed. */
  disconnect(): Promise<void>;
  isConnected(): boolean;
  /** Every connection state change from now on. */
  onConnectionStateChange(listener: (change: ConnectionStateChange) => void): Unsubscribe;
  /** Every channel state change of this client's channels from now on. */
  onChannelStateChange(listener: (change: ChannelStateChange) => void): Unsubscribe;
  /** A channel's state as this client sees it (`initialized` when never used). */
  channelState(channel: string): ChannelState;
  /**
   * Subscribes to every message on a channel, or to the named event(s); attaches the channel if
   * needed and resolves once attached.
   */
  subscribe(channel: string, listener: (message: RealtimeMessage) => void): Promise<Unsubscribe>;
  subscribe(
    channel: string,
    event: string | string[],
    listener: (message: RealtimeMessage) => void,
  ): Promise<Unsubscribe>;
  /** Removes this client's listeners on a channel, all of them or those for one event. */
  unsubscribe(channel: string, event?: string): void;
  /** Publishes one message; resolves once the service acknowledged it. */
  publish(channel: string, event: string, data?: unknown): Promise<void>;
  presence: RealtimePresence;
  /** Past messages of a channel. */
  history(channel: string, options?: HistoryOptions): Promise<RealtimeMessage[]>;
  /** Detaches the channel and forgets it (its listeners go too). */
  release(channel: string): Promise<void>;
}
