import type { Message } from '@switchboard/protocol';
import type { ChannelStore, Publication } from './channel-writes.js';
import type { ClusterReplica } from './cluster-replica.js';
import type { WriteOutcome } from './write-outcome.js';

/** What a publish of new messages on a cluster needs from its channel. */
export interface ClusterPublishOptions {
  appId: string;
  name: string;
  epoch: string;
  replica: ClusterReplica;
  serialOf(seq: number): string;
  /** Present on a persisted channel: the write is stored under the broker's serial. */
  store?: ChannelStore;
}

/**
 * Hands new messages to the broker: their serials (null for a repeated id) are filled in before
 * `committed` settles, and on a persisted channel they are stored under the broker's serial first.
 * The channel shows them when the broker delivers them, as every node does.
 */
export function publishToCluster(
  options: ClusterPublishOptions,
  publication: Publication,
): WriteOutcome<(string | null)[]> {
  const { appId, name, store, serialOf } = options;
  const serials: (string | null)[] = publication.messages.map(() => null);
  const committed = options.replica
    .append({
      kind: 'message',
      timestamp: publication.timestamp,
      pmId: publication.pmId,
      connectionId: publication.connectionId,
      items: publication.messages,
      ids: publication.messages.map((m, i) =>
        publication.clientSuppliedIds[i] ? m.id : undefined,
      ),
      ...(publication.inboundLimit !== undefined ? { inboundLimit: publication.inboundLimit } : {}),
    })
    .then(({ seq: assigned, kept }) => {
      if (assigned === undefined) return;
      let k = 0;
      const stored: Message[] = [];
      kept.forEach((isKept, i) => {
        if (!isKept) return;
        serials[i] = `${serialOf(assigned)}:${k++}`;
        if (store) stored.push({ ...publication.messages[i]!, serial: serials[i]! });
      });
      if (!store) return;
      return store.write({
        entry: {
          appId,
          channel: name,
          kind: 'message',
          seq: assigned,
          timestamp: publication.timestamp,
          items: stored,
        },
        state: { appId, channel: name, epoch: options.epoch, lastSeq: assigned },
      });
    });
  committed.catch(() => {});
  return { result: serials, committed };
}
