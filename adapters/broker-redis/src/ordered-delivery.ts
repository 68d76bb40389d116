import type { BrokerEntry, BrokerListener } from '@switchboard/server';

/** Reads the entries after `afterSeq` up to `untilSeq` (or the newest) from the channel's log. */
export type GapReader = (afterSeq: number, untilSeq?: number) => Promise<BrokerEntry[]>;

/** How soon a failed read of the log is tried again (ms). */
const RETRY_MS = 250;

/** One channel's delivery to this node: in sequence order, each entry once. */
export interface OrderedDelivery {
  /** An entry from pub/sub. */
  receive(entry: BrokerEntry): void;
  /** Entries up to here were covered before delivery started. */
  startAfter(seq: number): void;
  /**
   * Reads what the log holds after the last entry passed on (pub/sub was down, and nothing
   * published since would reveal the gap).
   */
  catchUp(): void;
  /** Stops (the node no longer listens): no more reads or deliveries. */
  stop(): void;
}

/**
 * Pub/sub keeps order while its connection is up, but drops what is published while it is
 * down: an entry whose predecessor was not seen makes this read the gap from the channel's log
 * first (holding later entries meanwhile), so the listener never sees a hole it could fill.
 */
export function createOrderedDelivery(
  listener: BrokerListener,
  readGap: GapReader,
  onLost: (afterSeq: number, untilSeq: number) => void,
): OrderedDelivery {
  let last = -1;
  let held: BrokerEntry[] | undefined;
  let stopped = false;
  // A catch-up asked for while a read is under way runs after it.
  let catchUpDue = false;
  const pass = (entry: BrokerEntry): void => {
    if (stopped || entry.seq <= last) return;
    last = entry.seq;
    listener(entry);
  };
  /**
   * Reads the log after the last entry passed on (up to `untilSeq`), holding live entries
   * meanwhile; a failed read (Redis itself still coming back) is tried again shortly, so a
   * gap is never skipped for want of one answer.
   */
  const repair = (untilSeq: number | undefined): void => {
    const from = last;
    readGap(from, untilSeq).then(
      (missing) => {
        const first = missing[0]?.seq;
        if (untilSeq !== undefined && (first ?? untilSeq + 1) > from + 1)
          onLost(from, first ?? untilSeq + 1);
        for (const e of missing) pass(e);
        const waiting = held ?? [];
        held = undefined;
        for (const e of waiting) receive(e);
        if (catchUpDue && !held) {
          catchUpDue = false;
          held = [];
          repair(undefined);
        }
      },
      () => {
        if (!stopped) setTimeout(() => repair(untilSeq), RETRY_MS).unref();
      },
    );
  };
  const fill = (entry: BrokerEntry): void => {
    held = [entry];
    repair(entry.seq - 1);
  };
  const receive = (entry: BrokerEntry): void => {
    if (held) return void held.push(entry);
    if (last < 0 || entry.seq <= last + 1) return pass(entry);
    fill(entry);
  };
  return {
    receive,
    catchUp() {
      if (last < 0) return;
      if (held) return void (catchUpDue = true);
      held = [];
      repair(undefined);
    },
    stop() {
      stopped = true;
    },
    startAfter(seq) {
      last = Math.max(last, seq);
    },
  };
}
