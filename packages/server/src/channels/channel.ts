import {
  Action,
  Flag,
  type Message,
  type PresenceMessage,
  type ProtocolMessage,
} from '@switchboard/protocol';
import { randomId } from '../ids.js';
import { createMessageVersions, type VersionCaps } from './message-versions.js';
import { createMessageLog, type LogEntry, type MessageLog, type Retention } from './message-log.js';
import { createOutboundFrame, type OutboundFrame } from './outbound-frame.js';
import { createPresenceSet, type PresenceSet } from './presence-set.js';
import { formatSerial, parseSerial } from './serial.js';

/** A connection's presence on a channel, as the channel sees it (implemented by the connection). */
export interface Subscriber {
  readonly connectionId: string;
  /** Whether this connection wants its own messages back (`echo`). */
  readonly echo: boolean;
  /** Granted mode bits for this attachment. */
  readonly modes: number;
  /** False while a resumed connection waits for its re-ATTACH (live frames would be dropped). */
  readonly live: boolean;
  /** The channel sequence its attach covered (by ATTACHED or its backlog); live delivery starts after it. */
  readonly liveFromSeq: number;
  send(frame: OutboundFrame): void;
}

/** What a publisher hands the channel: already validated, stamped messages. */
export interface Publication {
  connectionId: string;
  /** ProtocolMessage id `<connectionId>:<msgSerial>` (or a REST-generated id). */
  pmId: string;
  timestamp: number;
  messages: Message[];
  /** Which messages carry a client-supplied id, and so are deduplicated by it (RSL1k). */
  clientSuppliedIds: readonly boolean[];
}

/** One channel of one app: serial sequence, log, presence set and subscribers. */
export interface Channel {
  readonly appId: string;
  readonly name: string;
  readonly epoch: string;
  readonly log: MessageLog;
  readonly presence: PresenceSet;
  readonly presenceLog: MessageLog;
  /** The latest version of a message by serial (RSL11), if still known. */
  latestVersion(serial: string): Message | undefined;
  /** Every known version of a message, oldest first (RSL14). */
  allVersions(serial: string): Message[];
  readonly subscribers: Set<Subscriber>;
  /** The serial of the latest event, or of the empty channel. */
  currentSerial(): string;
  currentSeq(): number;
  serialOf(seq: number): string;
  /**
   * Appends and fans out messages; returns each message's serial, or null for a repeat of a
   * client-supplied id seen inside the idempotency window (acknowledged, not delivered).
   */
  publish(publication: Publication, now: number): (string | null)[];
  /**
   * Publishes an update, delete or append of an earlier message (its `serial`): a new log entry
   * whose message keeps the original serial and carries `version.serial`, the operation's own.
   * Returns that version serial, or undefined when the message is unknown.
   */
  publishOperation(
    operation: Message,
    publication: Omit<Publication, 'messages' | 'clientSuppliedIds'>,
    now: number,
  ): string | undefined;
  /**
   * The log as history and rewind show it: each message in its latest version, operations
   * folded into the message they changed (RSL11, RTL32).
   */
  latestEntries(): LogEntry[];
  /** Fans out presence events (already applied to the set) under the next serial. */
  broadcastPresence(
    events: PresenceMessage[],
    pmId: string,
    connectionId: string | undefined,
    now: number,
  ): void;
  /** Whether the message id was seen inside the idempotency window; records it if not. */
  seenMessageId(id: string, now: number): boolean;
  lastActivity(): number;
}

/** Dependencies and settings for a channel. */
export interface ChannelOptions {
  retention: Retention;
  /** Bounds on kept versions of updated messages (per message, per channel). */
  versions: Omit<VersionCaps, 'messages'>;
  idempotencyWindowMs: number;
  /** Told how many message deliveries a fan-out made, for stats. */
  onDelivered?: (deliveries: number) => void;
}

/** Creates a channel. */
export function createChannel(appId: string, name: string, options: ChannelOptions): Channel {
  const epoch = randomId(6);
  const log = createMessageLog(options.retention);
  const presenceLog = createMessageLog(options.retention);
  const versions = createMessageVersions({
    messages: options.retention.maxCount,
    ...options.versions,
  });
  const presence = createPresenceSet();
  const subscribers = new Set<Subscriber>();
  const seenIds = new Map<string, number>();
  let seq = 0;
  let active = Date.now();

  const serialOf = (s: number): string => formatSerial(epoch, s);

  const seenMessageId = (id: string, now: number): boolean => {
    const at = seenIds.get(id);
    if (at !== undefined && now - at < options.idempotencyWindowMs) return true;
    if (seenIds.size > 10_000) {
      for (const [k, t] of seenIds) if (now - t >= options.idempotencyWindowMs) seenIds.delete(k);
    }
    seenIds.set(id, now);
    return false;
  };

  /** Logs messages under the current sequence number, with the frame that carries them. */
  const appendToLog = (
    messages: Message[],
    publication: Pick<Publication, 'pmId' | 'connectionId' | 'timestamp'>,
    now: number,
  ): LogEntry => {
    const pm: ProtocolMessage = {
      action: Action.MESSAGE,
      channel: name,
      channelSerial: serialOf(seq),
      id: publication.pmId,
      connectionId: publication.connectionId,
      timestamp: publication.timestamp,
      messages,
    };
    const entry: LogEntry = {
      seq,
      timestamp: publication.timestamp,
      messages,
      frame: createOutboundFrame(pm),
    };
    log.append(entry, now);
    return entry;
  };

  // A message serial is `<channel serial>:<index>`, so its original is found in the log.
  const originalOf = (serial: string): Message | undefined => {
    const colon = serial.lastIndexOf(':');
    const position = parseSerial(serial.slice(0, colon));
    if (!position || position.epoch !== epoch) return undefined;
    const message = log.find(position.seq)?.messages[Number(serial.slice(colon + 1))];
    return message && message.version?.serial === undefined ? message : undefined;
  };

  const fanOut = (frame: OutboundFrame, modeBit: number, publisher: string | undefined): void => {
    for (const sub of subscribers) {
      if (!sub.live || (sub.modes & modeBit) === 0) continue;
      if (!sub.echo && sub.connectionId === publisher) continue;
      sub.send(frame);
    }
  };

  // Messages published in one event-loop turn leave as one ProtocolMessage per channel (the
  // protocol allows several messages per MESSAGE), so a burst costs one frame per subscriber.
  let pending: { entry: LogEntry; publisher: string }[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    let sent = 0;
    if (batch.length === 1) {
      const only = batch[0]!;
      for (const sub of subscribers) {
        if (sub.liveFromSeq < only.entry.seq) {
          if (
            sub.live &&
            sub.modes & Flag.SUBSCRIBE &&
            (sub.echo || sub.connectionId !== only.publisher)
          ) {
            sub.send(only.entry.frame);
            sent += only.entry.messages.length;
          }
        }
      }
      options.onDelivered?.(sent);
      return;
    }
    const firstSeq = batch[0]!.entry.seq;
    const last = batch[batch.length - 1]!.entry;
    const publishers = new Set(batch.map((b) => b.publisher));
    const bundle = createOutboundFrame({
      action: Action.MESSAGE,
      channel: name,
      channelSerial: serialOf(last.seq),
      timestamp: last.timestamp,
      messages: batch.flatMap((b) => b.entry.messages),
    });
    for (const sub of subscribers) {
      if (!sub.live || (sub.modes & Flag.SUBSCRIBE) === 0) continue;
      if (sub.liveFromSeq < firstSeq && (sub.echo || !publishers.has(sub.connectionId))) {
        sub.send(bundle);
        sent += bundle.pm.messages!.length;
        continue;
      }
      // Attached mid-batch, or must not see its own messages: send its share entry by entry.
      for (const b of batch) {
        if (b.entry.seq > sub.liveFromSeq && (sub.echo || b.publisher !== sub.connectionId)) {
          sub.send(b.entry.frame);
          sent += b.entry.messages.length;
        }
      }
    }
    options.onDelivered?.(sent);
  };
  const enqueue = (entry: LogEntry, publisher: string): void => {
    pending.push({ entry, publisher });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  return {
    appId,
    name,
    epoch,
    log,
    presence,
    presenceLog,
    subscribers,
    latestVersion: (serial) => versions.changes(serial).at(-1) ?? originalOf(serial),
    allVersions(serial) {
      const original = originalOf(serial);
      const changes = versions.changes(serial);
      return original ? [original, ...changes] : [...changes];
    },
    currentSerial: () => serialOf(seq),
    currentSeq: () => seq,
    serialOf,
    publish(publication, now) {
      const serials: (string | null)[] = publication.messages.map(() => null);
      const fresh = publication.messages.flatMap((m, i) =>
        publication.clientSuppliedIds[i] && m.id !== undefined && seenMessageId(m.id, now)
          ? []
          : [i],
      );
      if (fresh.length === 0) return serials;
      active = now;
      seq += 1;
      const channelSerial = serialOf(seq);
      const messages = fresh.map((i, k) => {
        const serial = `${channelSerial}:${k}`;
        serials[i] = serial;
        // The publisher's stamped messages are handed over to the channel: set the serial in place
        // rather than copy every message on the hot path.
        const message = publication.messages[i]!;
        message.serial = serial;
        return message;
      });
      const entry = appendToLog(messages, publication, now);
      enqueue(entry, publication.connectionId);
      return serials;
    },
    latestEntries() {
      const result: LogEntry[] = [];
      for (const entry of log.entries()) {
        if (entry.messages.some((m) => m.version?.serial !== undefined)) continue;
        const latest = entry.messages.map(
          (m) => (m.serial && versions.changes(m.serial).at(-1)) || m,
        );
        if (latest.every((m, i) => m === entry.messages[i])) {
          result.push(entry);
          continue;
        }
        const frame = createOutboundFrame({ ...entry.frame.pm, messages: latest });
        result.push({ ...entry, messages: latest, frame });
      }
      return result;
    },
    publishOperation(operation, publication, now) {
      const original = operation.serial ? originalOf(operation.serial) : undefined;
      if (!original) return undefined;
      active = now;
      seq += 1;
      const channelSerial = serialOf(seq);
      const versionSerial = `${channelSerial}:0`;
      const version = { ...operation.version, serial: versionSerial, timestamp: now };
      versions.recordOperation(original, { ...operation, version });
      const message: Message = {
        ...(original.name !== undefined ? { name: original.name } : {}),
        ...(original.clientId !== undefined ? { clientId: original.clientId } : {}),
        ...(operation.data !== undefined ? { data: operation.data } : {}),
        ...(operation.encoding !== undefined ? { encoding: operation.encoding } : {}),
        ...(operation.extras !== undefined ? { extras: operation.extras } : {}),
        id: `${publication.pmId}:0`,
        connectionId: publication.connectionId,
        timestamp: now,
        action: operation.action!,
        serial: operation.serial!,
        version,
      };
      flush();
      const entry = appendToLog([message], publication, now);
      fanOut(entry.frame, Flag.SUBSCRIBE, publication.connectionId);
      return versionSerial;
    },
    broadcastPresence(events, pmId, connectionId, now) {
      if (events.length === 0) return;
      flush();
      active = now;
      seq += 1;
      const pm: ProtocolMessage = {
        action: Action.PRESENCE,
        channel: name,
        channelSerial: serialOf(seq),
        id: pmId,
        timestamp: now,
        presence: events,
      };
      if (connectionId) pm.connectionId = connectionId;
      const frame = createOutboundFrame(pm);
      presenceLog.append({ seq, timestamp: now, messages: events as Message[], frame }, now);
      // Own presence is always delivered (RTP17a), so no echo suppression here.
      fanOut(frame, Flag.PRESENCE_SUBSCRIBE, undefined);
    },
    seenMessageId,
    lastActivity: () => active,
  };
}
