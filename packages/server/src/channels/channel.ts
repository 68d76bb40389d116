import {
  Action,
  Flag,
  type Annotation,
  type Message,
  type PresenceMessage,
  type ProtocolMessage,
} from '@switchboard/protocol';
import { randomId } from '../ids.js';
import type { HistoryKind, LatestVersionRecord } from '../ports/history.js';
import { createAnnotationBook, type AnnotationBook } from './annotation-book.js';
import type { BrokerEntry } from '../ports/broker.js';
import { createClusterChanges, type ClusterChanges } from './cluster-changes.js';
import { publishToCluster } from './cluster-publish.js';
import { createClusterReplica, type ReplicaOptions } from './cluster-replica.js';
import type { ChannelStore, Publication } from './channel-writes.js';
import { createCommitGate } from './commit-gate.js';
import type { PendingOutcome, WriteOutcome } from './write-outcome.js';
import { createFanOut, type Subscriber } from './fan-out.js';
import { createLiveWrites, isEphemeral } from './live-writes.js';
import { annotationTarget } from './stored-annotation-target.js';
import { createIdempotencyWindow } from './idempotency.js';
import { createMessageVersions, type VersionCaps } from './message-versions.js';
import { createMessageLog, type LogEntry, type MessageLog, type Retention } from './message-log.js';
import { isOperationMessage, operationMessage } from './operation-message.js';
import { createOutboundFrame } from './outbound-frame.js';
import { createPresenceSet, type PresenceSet } from './presence-set.js';
import { formatSerial, parseSerial } from './serial.js';

export type { Subscriber } from './fan-out.js';
export type { Publication } from './channel-writes.js';

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
  /** Annotations by the serial of the message they annotate, and their summaries. */
  readonly annotations: AnnotationBook;
  /**
   * Publishes an annotation of a message still in the log (RTAN1, RSAN1): an ANNOTATION to
   * annotation subscribers, then the message's new summary as a MESSAGE with action
   * `message.summary` (TM2u). On a persisted channel the annotation is stored before it is shown
   * (`committed`), and the message may be one only the store still holds; elsewhere it is live
   * only. Returns the annotation's serial, or undefined when the message is unknown. On a cluster
   * the broker gives the serial, so the outcome is a promise (rejecting 40400 for an unknown
   * message); call `whenReady` first.
   */
  annotate(
    annotation: Annotation,
    publication: Omit<Publication, 'messages' | 'clientSuppliedIds'>,
    now: number,
  ): PendingOutcome<string | null> | undefined;
  readonly subscribers: Set<Subscriber>;
  /** The serial of the latest event, or of the empty channel. */
  currentSerial(): string;
  currentSeq(): number;
  serialOf(seq: number): string;
  /** Whether writes are stored before they are shown (a persisted channel). */
  readonly persisted: boolean;
  /**
   * Appends and fans out messages; gives each message's serial, or null for a repeat of a
   * client-supplied id seen inside the idempotency window (acknowledged, not delivered). On a
   * persisted channel `committed` settles when the write is stored (and only then shown).
   */
  publish(publication: Publication, now: number): WriteOutcome<(string | null)[]>;
  /**
   * Publishes an update, delete or append of an earlier message (its `serial`): a new log entry
   * whose message keeps the original serial and carries `version.serial`, the operation's own.
   * Returns that version serial, or undefined when the message is unknown. On a cluster the
   * broker gives the version serial, so the outcome is a promise; call `whenReady` first.
   */
  publishOperation(
    operation: Message,
    publication: Omit<Publication, 'messages' | 'clientSuppliedIds'> & { index?: number },
    now: number,
  ): PendingOutcome<string | null> | undefined;
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
  ): Promise<void> | undefined;
  lastActivity(): number;
  /**
   * On a cluster: starts following the broker on first use and resolves once the log and members
   * are current; undefined when they already are (always, on a single node).
   */
  whenReady(): Promise<void> | undefined;
  /** Stops following the broker (the channel was swept). */
  close(): void;
}

/** A persisted channel's state from the store: serial position and recent message ids (RSL1k). */
export interface RestoredChannel {
  epoch: string;
  seq: number;
  recentIds?: [string, number][];
}

/** How a persisted channel stores its writes and where its serial space resumes. */
export interface ChannelPersistence extends ChannelStore {
  /** Where the channel's serials stood before a restart, and the ids it stored lately. */
  restored?: RestoredChannel;
}

/** Dependencies and settings for a channel. */
export interface ChannelOptions {
  retention: Retention;
  /** Bounds on kept versions of updated messages (per message, per channel). */
  versions: Omit<VersionCaps, 'messages'>;
  idempotencyWindowMs: number;
  /** Told how many message deliveries a fan-out made, for stats. */
  onDelivered?: (deliveries: number, publishedAt: number) => void;
  /** Present for persisted channels: writes are stored before they are shown. */
  persistence?: ChannelPersistence;
  /** Told of every write once shown (for a persisted channel: once stored), e.g. for webhooks. */
  onShown?: (kind: HistoryKind, entry: LogEntry) => void;
  /** Raw annotations kept per channel (and messages whose summaries are kept). */
  maxAnnotations?: number;
  /**
   * Present on a cluster: the broker assigns serials, drops repeated ids and delivers every
   * node's writes, and this channel's log and members are a replica of its own.
   */
  cluster?: Omit<ReplicaOptions, 'appId' | 'name' | 'windowMax'>;
}

/** Creates a channel. */
export function createChannel(appId: string, name: string, options: ChannelOptions): Channel {
  const cluster = options.cluster;
  // On a cluster the broker orders and shows every write; a persisted channel's node also
  // stores what it hands the broker, under the broker's serial, before it answers (below).
  const persistence = cluster ? undefined : options.persistence;
  const clusterStore = cluster ? options.persistence : undefined;
  const epoch = cluster?.broker.epoch ?? persistence?.restored?.epoch ?? randomId(6);
  // Sequence numbers assigned so far, and the last one shown (logged and fanned out): on a
  // persisted channel a write is shown only once stored, so the two differ while commits are due.
  let seq = persistence?.restored?.seq ?? 0;
  let visibleSeq = seq;
  const log = createMessageLog(options.retention, seq > 0 ? seq : -1);
  const presenceLog = createMessageLog(options.retention, seq > 0 ? seq : -1);
  const gate = createCommitGate();
  const versions = createMessageVersions({
    messages: options.retention.maxCount,
    ...options.versions,
  });
  const annotations = createAnnotationBook(options.maxAnnotations ?? 10_000);
  const presence = createPresenceSet();
  const subscribers = new Set<Subscriber>();
  const idempotency = createIdempotencyWindow(
    options.idempotencyWindowMs,
    persistence?.restored?.recentIds ?? [],
  );
  let active = Date.now();

  const serialOf = (s: number): string => formatSerial(epoch, s);

  /** The log entry of messages under the current sequence number, with the frame that carries them. */
  const entryOf = (
    messages: Message[],
    publication: Pick<Publication, 'pmId' | 'connectionId' | 'timestamp'>,
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
    return { seq, timestamp: publication.timestamp, messages, frame: createOutboundFrame(pm) };
  };

  /**
   * Shows a write: at once on a channel that is not persisted; on a persisted one after the
   * write is stored, in sequence order. Returns when it is stored, for the caller's ACK.
   */
  const showWrite = (
    kind: HistoryKind,
    entry: LogEntry,
    show: () => void,
    latest?: Message,
  ): Promise<void> | undefined => {
    if (!persistence) {
      visibleSeq = entry.seq;
      show();
      options.onShown?.(kind, entry);
      return undefined;
    }
    const committed = persistence.write({
      entry: {
        appId,
        channel: name,
        kind,
        seq: entry.seq,
        timestamp: entry.timestamp,
        items: entry.messages,
      },
      ...latestRecord(latest),
      state: { appId, channel: name, epoch, lastSeq: entry.seq },
    });
    return gate.after(committed, () => {
      visibleSeq = entry.seq;
      show();
      options.onShown?.(kind, entry);
    });
  };

  // A message serial is `<channel serial>:<index>`, so its original is found in the log.
  const positionOf = (serial: string): { seq: number; index: number } | undefined => {
    const colon = serial.lastIndexOf(':');
    const position = parseSerial(serial.slice(0, colon));
    if (!position || position.epoch !== epoch) return undefined;
    return { seq: position.seq, index: Number(serial.slice(colon + 1)) };
  };
  const originalOf = (serial: string): Message | undefined => {
    const position = positionOf(serial);
    if (!position) return undefined;
    const message = log.find(position.seq)?.messages[position.index];
    return message && message.version?.serial === undefined ? message : undefined;
  };
  // The stored original is found by its position, which its serial names.
  const latestRecord = (latest: Message | undefined): { latest?: LatestVersionRecord } => {
    const position = latest?.serial ? positionOf(latest.serial) : undefined;
    return latest && position
      ? { latest: { appId, channel: name, ...position, message: latest } }
      : {};
  };

  // A persisted channel's annotations, also of messages only the store still holds.
  const storedAnnotations =
    persistence?.annotations &&
    annotationTarget({
      stored: persistence.annotations,
      book: annotations,
      inLog: (serial) => originalOf(serial) !== undefined,
      restoredSeq: persistence.restored?.seq ?? 0,
    });

  const fanOutOf = createFanOut({
    channel: name,
    subscribers,
    serialOf,
    ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
    afterCommit: persistence !== undefined,
  });
  const { send: fanOut, enqueue, flush } = fanOutOf;
  const live = createLiveWrites({
    channel: name,
    annotations,
    fanOut: fanOutOf,
    shownSerial: () => serialOf(visibleSeq),
    gate: persistence ? gate : undefined,
  });

  /** A presence entry's frame, as broadcast under the current sequence number. */
  const presenceEntry = (
    events: PresenceMessage[],
    pmId: string,
    connectionId: string | undefined,
    now: number,
  ): LogEntry => {
    const pm: ProtocolMessage = {
      action: Action.PRESENCE,
      channel: name,
      channelSerial: serialOf(seq),
      id: pmId,
      timestamp: now,
      presence: events,
    };
    if (connectionId) pm.connectionId = connectionId;
    return { seq, timestamp: now, messages: events as Message[], frame: createOutboundFrame(pm) };
  };

  /** A broker entry as this channel logs it (message serials are `<channel serial>:<index>`). */
  const logEntryOf = (e: BrokerEntry): LogEntry => {
    if (e.kind === 'presence')
      return presenceEntry(e.items as PresenceMessage[], e.pmId, e.connectionId, e.timestamp);
    const messages = e.items as Message[];
    messages.forEach((m, k) => (m.serial = `${serialOf(e.seq)}:${k}`));
    return entryOf(messages, { ...e, connectionId: e.connectionId ?? '' });
  };
  const applyMembers = (events: PresenceMessage[]): void => {
    for (const event of events)
      presence.apply(event as PresenceMessage & { clientId: string; connectionId: string });
  };

  // Messages up to it were published before the replica loaded.
  let loadedHead = 0;
  const isOperationEntry = (e: BrokerEntry): boolean =>
    e.kind === 'message' && (e.items as Message[]).some(isOperationMessage);
  const replica =
    cluster &&
    createClusterReplica(
      { ...cluster, appId, name, windowMax: options.retention.maxCount },
      {
        load(entries, members, head) {
          log.startAfter((entries[0]?.seq ?? head + 1) - 1);
          presenceLog.startAfter((entries[0]?.seq ?? head + 1) - 1);
          loadedHead = head;
          for (const e of entries) {
            seq = e.seq;
            if (isOperationEntry(e)) changes!.applyOperation(e, false);
            // A persisted channel's book reads annotations from the store when it needs them.
            else if (e.kind === 'annotation') {
              if (!clusterStore) void changes!.applyAnnotation(e, false);
            } else (e.kind === 'message' ? log : presenceLog).append(logEntryOf(e), e.timestamp);
          }
          seq = visibleSeq = Math.max(seq, head);
          applyMembers(members);
        },
        // Every node's writes, this one's included, are shown as the broker delivers them.
        receive(e) {
          if (e.seq <= seq) return undefined;
          seq = visibleSeq = e.seq;
          active = Date.now();
          if (e.kind === 'annotation') return changes!.applyAnnotation(e, true);
          if (isOperationEntry(e)) {
            options.onShown?.('message', changes!.applyOperation(e, true));
            return undefined;
          }
          const entry = logEntryOf(e);
          if (e.kind === 'message') {
            log.append(entry, active);
            enqueue(entry, e.connectionId ?? '');
          } else {
            applyMembers(e.items as PresenceMessage[]);
            flush();
            presenceLog.append(entry, active);
            fanOut(entry.frame, Flag.PRESENCE_SUBSCRIBE, undefined);
          }
          options.onShown?.(e.kind, entry);
          return undefined;
        },
      },
    );
  const clusterPublish = replica && {
    appId,
    name,
    epoch,
    replica,
    serialOf,
    ...(clusterStore ? { store: clusterStore } : {}),
  };
  const changes: ClusterChanges | undefined =
    replica &&
    createClusterChanges({
      appId,
      name,
      epoch,
      nodeId: cluster.broker.nodeId,
      replica,
      log,
      versions,
      annotations,
      fanOut: fanOutOf,
      serialOf,
      currentSeq: () => visibleSeq,
      loadedHead: () => loadedHead,
      positionOf,
      originalOf,
      entryOf: (e, messages) => entryOf(messages, { ...e, connectionId: e.connectionId ?? '' }),
      ...(clusterStore ? { store: clusterStore } : {}),
    });

  return {
    appId,
    name,
    epoch,
    log,
    presence,
    presenceLog,
    subscribers,
    latestVersion: (serial) => versions.changes(serial).at(-1) ?? originalOf(serial),
    annotations,
    annotate(annotation, publication, now) {
      const target = annotation.messageSerial;
      if (!target) return undefined;
      if (changes) {
        active = now;
        return changes.annotate(annotation, publication, now);
      }
      if (!storedAnnotations) {
        if (!originalOf(target)) return undefined;
        active = now;
        return live.annotate(annotation, publication, now);
      }
      const position = positionOf(target);
      if (!position || position.seq > visibleSeq) return undefined;
      active = now;
      return live.annotate(annotation, publication, now, storedAnnotations.next(target, position));
    },
    allVersions(serial) {
      const original = originalOf(serial);
      const changes = versions.changes(serial);
      return original ? [original, ...changes] : [...changes];
    },
    persisted: persistence !== undefined || clusterStore !== undefined,
    currentSerial: () => serialOf(visibleSeq),
    currentSeq: () => visibleSeq,
    serialOf,
    publish(publication, now) {
      if (clusterPublish) {
        active = now;
        return publishToCluster(clusterPublish, publication);
      }
      const serials: (string | null)[] = publication.messages.map(() => null);
      const fresh: number[] = [];
      const freshIds: string[] = [];
      const originals: Promise<void>[] = [];
      publication.messages.forEach((m, i) => {
        if (!publication.clientSuppliedIds[i] || m.id === undefined) return void fresh.push(i);
        const check = idempotency.check(m.id, now);
        if (!check.seen) {
          fresh.push(i);
          freshIds.push(m.id);
        } else if (check.original) originals.push(check.original);
      });
      // A repeat is answered as its original will be: stored, or refused.
      const repeats = originals.length > 0 ? Promise.all(originals).then(() => {}) : undefined;
      if (fresh.length === 0)
        return repeats ? { result: serials, committed: repeats } : { result: serials };
      active = now;
      if (fresh.every((i) => isEphemeral(publication.messages[i]!))) {
        const ephemeral = fresh.map((i) => publication.messages[i]!);
        live
          .publishEphemeral(ephemeral, publication)
          .forEach((serial, k) => void (serials[fresh[k]!] = serial));
        return { result: serials };
      }
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
      const entry = entryOf(messages, publication);
      const stored = showWrite('message', entry, () => {
        log.append(entry, now);
        enqueue(entry, publication.connectionId);
      });
      if (stored && freshIds.length > 0) idempotency.awaitCommit(freshIds, stored);
      const committed =
        stored && repeats ? Promise.all([stored, repeats]).then(() => {}) : (stored ?? repeats);
      return committed ? { result: serials, committed } : { result: serials };
    },
    latestEntries() {
      const result: LogEntry[] = [];
      for (const entry of log.entries()) {
        if (entry.messages.some((m) => m.version?.serial !== undefined)) continue;
        const latest = entry.messages.map((m) => {
          const current = (m.serial && versions.changes(m.serial).at(-1)) || m;
          const summary = m.serial ? annotations.summary(m.serial) : undefined;
          // History shows each message with its latest summary (TM2u).
          return summary ? { ...current, annotations: { summary } } : current;
        });
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
      const unserialed = operationMessage(original, operation, publication, now);
      if (changes) return changes.publishOperation(unserialed, publication);
      seq += 1;
      const versionSerial = `${serialOf(seq)}:0`;
      const message: Message = {
        ...unserialed,
        version: { ...unserialed.version, serial: versionSerial },
      };
      const latest = versions.recordOperation(original, message);
      const entry = entryOf([message], publication);
      const committed = showWrite(
        'message',
        entry,
        () => {
          flush();
          log.append(entry, now);
          fanOut(entry.frame, Flag.SUBSCRIBE, publication.connectionId);
        },
        latest,
      );
      return committed ? { result: versionSerial, committed } : { result: versionSerial };
    },
    broadcastPresence(events, pmId, connectionId, now) {
      if (events.length === 0) return undefined;
      active = now;
      if (replica) {
        const committed = replica
          .append({
            kind: 'presence',
            timestamp: now,
            pmId,
            ...(connectionId ? { connectionId } : {}),
            items: events,
          })
          .then(() => {});
        committed.catch(() => {});
        return committed;
      }
      seq += 1;
      const entry = presenceEntry(events, pmId, connectionId, now);
      return showWrite('presence', entry, () => {
        flush();
        presenceLog.append(entry, now);
        // Own presence is always delivered (RTP17a), so no echo suppression here.
        fanOut(entry.frame, Flag.PRESENCE_SUBSCRIBE, undefined);
      });
    },
    lastActivity: () => active,
    whenReady: () => replica?.whenReady(),
    close: () => replica?.close(),
  };
}
