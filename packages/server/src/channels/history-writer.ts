import type { ChannelPersistence } from './channel.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import type { HistoryBatch, HistoryStore } from '../ports/history.js';

/** One write a persisted channel hands over (see ChannelPersistence.write). */
type Write = Parameters<ChannelPersistence['write']>[0];

/** Group commit of persisted channels' writes: one store transaction per event-loop turn. */
export type HistoryWriter = GroupCommit<Write>;

interface Pending {
  batch: HistoryBatch;
  /** One serial state per channel: the last write's, which is the highest. */
  states: Map<string, HistoryBatch['states'][number]>;
}

/**
 * Creates the writer (see createGroupCommit): what a channel shows after its commits is in
 * sequence order.
 */
export function createHistoryWriter(store: HistoryStore, commitIntervalMs = 0): HistoryWriter {
  return createGroupCommit<Write, Pending>(
    {
      open: () => ({ batch: { entries: [], latest: [], states: [] }, states: new Map() }),
      add({ batch, states }, record) {
        batch.entries.push(record.entry);
        if (record.latest) batch.latest.push(record.latest);
        states.set(`${record.state.appId}\n${record.state.channel}`, record.state);
      },
      store: ({ batch, states }) => store.appendHistory({ ...batch, states: [...states.values()] }),
    },
    commitIntervalMs,
  );
}
