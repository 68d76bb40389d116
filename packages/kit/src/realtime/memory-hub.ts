import type { PresenceMember, RealtimeMessage } from './types.js';

/** One entry of a channel's log: a message or a presence event, in publish order. */
export type HubEntry =
  | { serial: number; kind: 'message'; message: RealtimeMessage }
  | { serial: number; kind: 'presence'; member: PresenceMember };

/** What a hub calls on a connection attached to a channel. */
export interface HubListener {
  readonly connectionId: string;
  /** Delivers one entry; the connection decides whether it is up to take it. */
  deliver(channel: string, entry: HubEntry): void;
}

/** Options of createMemoryHub. */
export interface MemoryHubOptions {
  /** Entries (messages and presence events) kept per channel for history and resume; default 1000. */
  historyLimit?: number;
}

/**
 * The in-process "service" memory clients share: per channel, the attached connections, a
 * bounded log (history and resume read it) and the presence set. Clients built without a hub get
 * their own, so two clients only see each other when handed the same hub.
 */
export interface MemoryHub {
  attach(channel: string, listener: HubListener): void;
  detach(channel: string, listener: HubListener): void;
  publish(channel: string, message: Omit<RealtimeMessage, 'channel' | 'id'>): RealtimeMessage;
  /** Applies a presence action and broadcasts it with the data given (a leave without data carries none). */
  presence(channel: string, member: Omit<PresenceMember, 'timestamp'>): void;
  members(channel: string): PresenceMember[];
  /** Log entries after `serial` (for a connection resuming). */
  entriesAfter(channel: string, serial: number): HubEntry[];
  /** The serial of the newest entry of a channel (0 when none). */
  lastSerial(channel: string): number;
  history(channel: string): RealtimeMessage[];
}

interface HubChannel {
  listeners: Set<HubListener>;
  log: HubEntry[];
  present: Map<string, PresenceMember>;
}

/** A hub: the shared state of memory clients that should see each other. */
export function createMemoryHub(options: MemoryHubOptions = {}): MemoryHub {
  const historyLimit = options.historyLimit ?? 1000;
  const channels = new Map<string, HubChannel>();
  let serial = 0;
  let messageCount = 0;

  const channelOf = (name: string): HubChannel => {
    let ch = channels.get(name);
    if (!ch) {
      ch = { listeners: new Set(), log: [], present: new Map() };
      channels.set(name, ch);
    }
    return ch;
  };

  const append = (name: string, entry: HubEntry): void => {
    const ch = channelOf(name);
    ch.log.push(entry);
    if (ch.log.length > historyLimit) ch.log.splice(0, ch.log.length - historyLimit);
    for (const l of [...ch.listeners]) l.deliver(name, entry);
  };

  return {
    attach(channel, listener) {
      channelOf(channel).listeners.add(listener);
    },
    detach(channel, listener) {
      channels.get(channel)?.listeners.delete(listener);
    },
    publish(channel, message) {
      messageCount += 1;
      const stored: RealtimeMessage = {
        ...message,
        // Copied as a network would serialise it: the publisher mutating its object changes nothing.
        data: structuredClone(message.data),
        id: `${message.connectionId ?? 'memory'}:${messageCount}`,
        channel,
      };
      append(channel, { serial: ++serial, kind: 'message', message: stored });
      return stored;
    },
    presence(channel, member) {
      const ch = channelOf(channel);
      const key = `${member.connectionId ?? ''}:${member.clientId}`;
      const current = ch.present.get(key);
      // As the service does: entering again is an update, updating while absent enters,
      // leaving while absent is nothing.
      let action = member.action;
      if (action === 'enter' && current) action = 'update';
      else if (action === 'update' && !current) action = 'enter';
      else if (action === 'leave' && !current) return;
      const event: PresenceMember = {
        ...member,
        action,
        data: structuredClone(member.data),
        timestamp: Date.now(),
      };
      if (action === 'leave') ch.present.delete(key);
      else ch.present.set(key, { ...event, action: 'present' });
      append(channel, { serial: ++serial, kind: 'presence', member: event });
    },
    members(channel) {
      return [...(channels.get(channel)?.present.values() ?? [])].map((m) => ({ ...m }));
    },
    entriesAfter(channel, after) {
      return (channels.get(channel)?.log ?? []).filter((e) => e.serial > after);
    },
    lastSerial(channel) {
      const log = channels.get(channel)?.log;
      return log && log.length > 0 ? log[log.length - 1]!.serial : 0;
    },
    history(channel) {
      return (channels.get(channel)?.log ?? []).flatMap((e) =>
        e.kind === 'message' ? [e.message] : [],
      );
    },
  };
}
