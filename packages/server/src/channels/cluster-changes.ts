import { Errors, Flag, type Annotation, type Message } from '@switchboard/protocol';
import type { BrokerEntry } from '../ports/broker.js';
import type { AnnotationBook } from './annotation-book.js';
import type { ChannelStore } from './channel-writes.js';
import type { ClusterReplica } from './cluster-replica.js';
import type { FanOut } from './fan-out.js';
import { showAnnotation } from './live-writes.js';
import type { LogEntry, MessageLog } from './message-log.js';
import type { MessageVersions } from './message-versions.js';
import { parseSerial } from './serial.js';
import type { WriteOutcome } from './write-outcome.js';

type Summary = Record<string, unknown>;

/** A message's place in the channel: its entry's sequence number and its index there. */
export interface MessagePosition {
  seq: number;
  index: number;
}

/** What applying one of this node's own changes gave, for the store. */
interface Applied {
  /** The operation's message as logged, and the message's latest version after it. */
  message?: Message;
  latest?: Message;
  /** The annotation as recorded, and its message's summary after it. */
  annotation?: Annotation;
  summary?: Summary;
}

/** Who publishes a change. */
export interface ChangePublication {
  connectionId: string;
  pmId: string;
  timestamp: number;
}

/**
 * Updates, deletes, appends and annotations of a channel on a cluster. They go through the broker
 * like messages, so each takes its place in the channel's one sequence, and every node applies
 * them from it alike: the version serial and the annotation serial both come from the sequence,
 * so all nodes compute the same versions and summaries. On a persisted channel the publishing
 * node stores what it computed once its own entry came back, before it answers.
 */
export interface ClusterChanges {
  /**
   * Publishes an operation message (see operationMessage); resolves with its version serial, or
   * null for a repeat of its id inside the idempotency window (a resend after a resume on another
   * node: the first copy was applied).
   */
  publishOperation(
    message: Message,
    publication: ChangePublication,
  ): Promise<WriteOutcome<string | null>>;
  /**
   * Publishes an annotation of a known message; resolves with its serial (null for a repeat of
   * its id, as for operations), rejects 40400 for an unknown message.
   */
  annotate(
    annotation: Annotation,
    publication: ChangePublication,
    now: number,
  ): Promise<WriteOutcome<string | null>>;
  /** Applies an operation entry (logs it; fans it out when live); gives the logged entry. */
  applyOperation(entry: BrokerEntry, live: boolean): LogEntry;
  /**
   * Applies an annotation entry (records it; fans it out when live); a promise when the book
   * first reads the message's stored annotations, and later entries must wait for it.
   */
  applyAnnotation(entry: BrokerEntry, live: boolean): Promise<void> | undefined;
}

/** What a channel's cluster changes need from it. */
export interface ClusterChangesOptions {
  appId: string;
  name: string;
  epoch: string;
  nodeId: string;
  replica: ClusterReplica;
  log: MessageLog;
  versions: MessageVersions;
  annotations: AnnotationBook;
  fanOut: FanOut;
  serialOf(seq: number): string;
  /** The last sequence number shown. */
  currentSeq(): number;
  /**
   * Messages up to this sequence were published before the replica loaded: it may miss some of
   * their annotations.
   */
  loadedHead(): number;
  positionOf(serial: string): MessagePosition | undefined;
  /** The original of a message still in the log. */
  originalOf(serial: string): Message | undefined;
  /** An operation's logged entry, with its frame. */
  entryOf(entry: BrokerEntry, messages: Message[]): LogEntry;
  /** Present on a persisted channel: where the publishing node stores its changes. */
  store?: ChannelStore;
}

/** Own results kept for publishers that have not asked (yet); past it the oldest are dropped. */
const MAX_UNCLAIMED = 1000;

/**
 * How long a publisher waits for its own entry to come back before it answers 50002: delivery
 * reads gaps back from the log, so only an entry lost beyond the log window never comes, and
 * the connection's later answers must not wait behind it forever.
 */
const APPLIED_TIMEOUT_MS = 10_000;

/** The sequence number of a serial `<channel serial>:<index>`. */
const seqOfSerial = (serial: string | undefined): number =>
  parseSerial(serial?.slice(0, serial.lastIndexOf(':')) ?? '')?.seq ?? 0;

/** Creates a channel's cluster changes. */
export function createClusterChanges(options: ClusterChangesOptions): ClusterChanges {
  const { appId, name, replica, versions, annotations, fanOut, serialOf, store } = options;
  // What this node applied of its own changes, by sequence, until its publisher claims it: the
  // broker's reply and the delivery of the entry may come in either order.
  const unclaimed = new Map<number, Applied>();
  const waiting = new Map<number, { resolve: (applied: Applied) => void; timer: NodeJS.Timeout }>();

  const settle = (entry: BrokerEntry, applied: Applied): void => {
    if (entry.nodeId !== options.nodeId) return;
    const waiter = waiting.get(entry.seq);
    if (waiter) {
      waiting.delete(entry.seq);
      clearTimeout(waiter.timer);
      return waiter.resolve(applied);
    }
    unclaimed.set(entry.seq, applied);
    if (unclaimed.size > MAX_UNCLAIMED) unclaimed.delete(unclaimed.keys().next().value!);
  };
  const appliedAt = (seq: number): Promise<Applied> => {
    const applied = unclaimed.get(seq);
    if (applied) {
      unclaimed.delete(seq);
      return Promise.resolve(applied);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(seq);
        reject(Errors.brokerUnavailable('the change was not delivered back in time'));
      }, APPLIED_TIMEOUT_MS);
      timer.unref();
      waiting.set(seq, { resolve, timer });
    });
  };

  const recordAnnotation = (entry: BrokerEntry, annotation: Annotation, live: boolean): void => {
    const summary = annotations.record(annotation);
    if (live)
      showAnnotation(fanOut, {
        channel: name,
        channelSerial: serialOf(entry.seq),
        timestamp: entry.timestamp,
        pmId: entry.pmId,
        connectionId: entry.connectionId,
        annotation,
        summary,
      });
    settle(entry, { annotation, summary });
  };

  return {
    async publishOperation(message, publication) {
      const { seq } = await replica.append({
        kind: 'message',
        timestamp: publication.timestamp,
        pmId: publication.pmId,
        connectionId: publication.connectionId,
        items: [message],
        ids: [`op:${message.id}`],
      });
      if (seq === undefined) return { result: null };
      const at = seq;
      const result = `${serialOf(at)}:0`;
      // Answered once this node applied it too, so a read here right after shows it.
      const { message: logged, latest } = await appliedAt(at);
      if (!store) return { result };
      const position = latest?.serial ? options.positionOf(latest.serial) : undefined;
      const committed = store.write({
        entry: {
          appId,
          channel: name,
          kind: 'message',
          seq: at,
          timestamp: publication.timestamp,
          items: [logged!],
        },
        ...(latest && position
          ? { latest: { appId, channel: name, ...position, message: latest } }
          : {}),
        state: { appId, channel: name, epoch: options.epoch, lastSeq: at },
      });
      committed.catch(() => {});
      return { result, committed };
    },
    async annotate(annotation, publication, now) {
      const target = annotation.messageSerial!;
      const position = options.positionOf(target);
      const known =
        position !== undefined &&
        position.seq <= options.currentSeq() &&
        (options.originalOf(target) !== undefined ||
          ((await store?.annotations?.hasMessage(position.seq, position.index)) ?? false));
      if (!known) throw Errors.notFound(`No message with serial ${target}`);
      const stamped: Annotation = {
        ...annotation,
        id: annotation.id ?? `${publication.pmId}:0`,
        connectionId: publication.connectionId,
        timestamp: now,
      };
      const { seq } = await replica.append({
        kind: 'annotation',
        timestamp: now,
        pmId: publication.pmId,
        connectionId: publication.connectionId,
        items: [stamped],
        ids: [`annotation:${stamped.id}`],
      });
      if (seq === undefined) return { result: null };
      const at = seq;
      const result = `${serialOf(at)}:0`;
      const { annotation: recorded, summary } = await appliedAt(at);
      const stored = store?.annotations;
      if (!stored) return { result };
      const committed = stored.write(recorded!, summary);
      // A failed write leaves the book ahead of the store: the next annotation reads it again.
      committed.catch(() => annotations.forget(target));
      return { result, committed };
    },
    applyOperation(entry, live) {
      const operation = entry.items[0] as Message;
      const message: Message = {
        ...operation,
        version: { ...operation.version, serial: `${serialOf(entry.seq)}:0` },
      };
      const original = options.originalOf(message.serial!);
      // A node whose log no longer holds the original shows the operation all the same.
      const latest = original ? versions.recordOperation(original, message) : undefined;
      const logged = options.entryOf(entry, [message]);
      if (live) fanOut.flush();
      // Retention counts a loaded entry's age from when it was published.
      options.log.append(logged, live ? Date.now() : entry.timestamp);
      if (live) fanOut.send(logged.frame, Flag.SUBSCRIBE, entry.connectionId);
      settle(entry, { message, ...(latest ? { latest } : {}) });
      return logged;
    },
    applyAnnotation(entry, live) {
      const annotation: Annotation = {
        ...(entry.items[0] as Annotation),
        serial: `${serialOf(entry.seq)}:0`,
      };
      const target = annotation.messageSerial!;
      const position = options.positionOf(target);
      const mayMiss =
        store?.annotations !== undefined &&
        !annotations.has(target) &&
        ((position?.seq ?? 0) <= options.loadedHead() || annotations.evictedAny());
      if (!mayMiss) {
        recordAnnotation(entry, annotation, live);
        return undefined;
      }
      // Published before this node followed the channel: its earlier annotations are in the
      // store (those before this entry; later ones are applied as they come).
      return store!
        .annotations!.load(target)
        .then(
          (all) =>
            annotations.restore(
              target,
              all.filter((a) => seqOfSerial(a.serial) < entry.seq),
            ),
          () => annotations.forget(target),
        )
        .then(() => recordAnnotation(entry, annotation, live));
    },
  };
}
