import type { BrokerEntry, BrokerListener } from '@switchboard/server';

/** Reads the entries after `afterSeq` up to `untilSeq` (or the newest) from the channel's log. */
export type GapReader = (afterSeq: number, untilSeq?: number) => Promise<BrokerEntry[]>;

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
  const pass = (entry: BrokerEntry): void => {
    if (entry.seq <= last) return;
    last = entry.seq;
    listener(entry);
  };
  const fill = (entry: BrokerEntry): void => {
    held = [entry];
    const from = last;
    readGap(from, entry.seq - 1)
      .catch(() => [] as BrokerEntry[])
      .then((missing) => {
        const first = missing[0]?.seq ?? entry.seq;
        if (first > from + 1) onLost(from, first);
        for (const e of missing) pass(e);
        const waiting = held ?? [];
        held = undefined;
        for (const e of waiting) receive(e);
      });
  };
  const receive = (entry: BrokerEntry): void => {
    if (held) return void held.push(entry);
    if (last < 0 || entry.seq <= last + 1) return pass(entry);
    fill(entry);
  };
  return {
    receive,
    catchUp() {
      if (held || last < 0) return;
      held = [];
      readGap(last)
        .catch(() => [] as BrokerEntry[])
        .then((missing) => {
          for (const e of missing) pass(e);
          const waiting = held ?? [];
          held = undefined;
          for (const e of waiting) receive(e);
        });
    },
    startAfter(seq) {
      last = Math.max(last, seq);
    },
  };
}
