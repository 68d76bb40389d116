import type { Message } from '@switchboard/protocol';
import type {
  ChannelStateRecord,
  HistoryEntryRecord,
  LatestVersionRecord,
} from '../ports/history.js';
import type { StoredAnnotations } from './stored-annotations.js';

/** What a publisher hands the channel: already validated, stamped messages. */
export interface Publication {
  connectionId: string;
  /** ProtocolMessage id `<connectionId>:<msgSerial>` (or a REST-generated id). */
  pmId: string;
  timestamp: number;
  messages: Message[];
  /** Which messages carry a client-supplied id, and so are deduplicated by it (RSL1k). */
  clientSuppliedIds: readonly boolean[];
  /**
   * A realtime client's publish on a cluster: the connection's maxInboundRate, which the broker
   * holds across nodes (see `BrokerWrite.inboundLimit`).
   */
  inboundLimit?: number;
}

/** Where a persisted channel stores its writes, on one node or on a cluster. */
export interface ChannelStore {
  /** Stores one write (group-committed by the caller); rejects when it cannot be stored. */
  write(record: {
    entry: HistoryEntryRecord;
    latest?: LatestVersionRecord;
    state: ChannelStateRecord;
  }): Promise<void>;
  /** Where annotations of the channel's messages are stored. */
  annotations?: StoredAnnotations;
}
