import { Errors, isErrorInfo } from '@switchboard/protocol';
import type { Broker, BrokerAppend, BrokerEntry, BrokerWrite } from '../ports/broker.js';

/** A channel's link to the cluster broker: its log and members are a replica of the broker's. */
export interface ClusterReplica {
  /**
   * Starts following the broker on first use (listen, then load the window and members);
   * undefined once the replica is current, so a caller goes on synchronously.
   */
  whenReady(): Promise<void> | undefined;
  /** Hands a write to the broker; rejects with 50002 when the broker cannot take it. */
  append(write: BrokerWrite): Promise<BrokerAppend>;
  /** Stops following (the channel is swept). */
  close(): void;
}

/** What the replica feeds the channel. */
export interface ReplicaTarget {
  /** The window and members as the broker holds them, before any live entry. */
  load(entries: BrokerEntry[], members: Awaited<ReturnType<Broker['members']>>, head: number): void;
  /**
   * A live entry, in sequence order; a promise when applying it must read first (later entries
   * wait until it settles).
   */
  receive(entry: BrokerEntry): Promise<void> | undefined;
}

/** How a channel follows the cluster. */
export interface ReplicaOptions {
  broker: Broker;
  appId: string;
  name: string;
  /** Entries the window keeps (the broker's cap). */
  windowMax: number;
  /** Told when the broker refuses or fails a write, for the log. */
  onBrokerError?: (error: unknown) => void;
}

/** Reads of the broker's window a starting replica makes; the last asks for a share of it. */
const WINDOW_READ_ATTEMPTS = 3;
const LAST_WINDOW_READ_SHARE = 0.9;

/**
 * Creates a channel's replica link. Delivery starts before the window is read, so nothing
 * falls between them: entries delivered meanwhile wait and the window's own are skipped.
 */
export function createClusterReplica(
  options: ReplicaOptions,
  target: ReplicaTarget,
): ClusterReplica {
  const { broker } = options;
  const ref = { appId: options.appId, name: options.name };
  let state: 'idle' | 'loading' | 'ready' = 'idle';
  let pending: Promise<void> | undefined;
  let held: BrokerEntry[] = [];
  // Set while an entry is applied asynchronously: entries after it are held meanwhile.
  let applying = false;

  const apply = (entry: BrokerEntry): void => {
    const pending = target.receive(entry);
    if (!pending) return;
    applying = true;
    const next = (): void => {
      applying = false;
      while (!applying && state === 'ready' && held.length > 0) apply(held.shift()!);
    };
    pending.then(next, next);
  };
  const onEntry = (entry: BrokerEntry): void => {
    if (state === 'ready' && !applying) apply(entry);
    else held.push(entry);
  };
  const start = async (): Promise<void> => {
    await broker.listen(ref, onEntry);
    // The broker's log holds windowMax entries and moves on while this reads: asking for all of
    // them can find the oldest already trimmed under load (since() → undefined). Loading nothing
    // then left no client able to resume here (a subscriber moved to a fresh node missed what
    // it had not yet seen), so a refused read is tried again, the last time for a tenth less.
    let head = 0;
    let window: BrokerEntry[] | undefined;
    for (let attempt = 1; window === undefined; attempt++) {
      head = await broker.head(ref);
      const share = attempt < WINDOW_READ_ATTEMPTS ? 1 : LAST_WINDOW_READ_SHARE;
      window = await broker.since(ref, Math.max(0, head - Math.floor(options.windowMax * share)));
      if (attempt === WINDOW_READ_ATTEMPTS) window ??= [];
    }
    const members = await broker.members(ref);
    target.load(window, members, head);
    state = 'ready';
    while (!applying && held.length > 0) apply(held.shift()!);
  };

  return {
    whenReady() {
      if (state === 'ready') return undefined;
      if (!pending) {
        state = 'loading';
        pending = start().catch((err: unknown) => {
          // A later use tries again.
          state = 'idle';
          pending = undefined;
          held = [];
          void Promise.resolve(broker.unlisten(ref)).catch(() => {});
          options.onBrokerError?.(err);
          throw Errors.brokerUnavailable();
        });
      }
      return pending;
    },
    async append(write) {
      try {
        return await broker.append(ref, write);
      } catch (err) {
        options.onBrokerError?.(err);
        throw isErrorInfo(err) ? err : Errors.brokerUnavailable();
      }
    },
    close() {
      if (state === 'idle') return;
      state = 'idle';
      pending = undefined;
      held = [];
      void Promise.resolve(broker.unlisten(ref)).catch(() => {});
    },
  };
}
