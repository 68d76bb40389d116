import type { Message } from '@switchboard/protocol';

/** Who published an operation, as it appears on the logged message. */
export interface OperationPublication {
  pmId: string;
  connectionId: string;
  /** The operation's place among those of its ProtocolMessage (default 0). */
  index?: number;
}

/**
 * The message an update, delete or append logs and fans out (RTL32, TM2s): it keeps the
 * original's serial, name, clientId and creation time, carries the operation's payload and a
 * `version` stamped `now`. The version serial is the operation's own position, added by whoever
 * assigns it (the channel on one node, every node alike from the broker's sequence on a cluster).
 */
export function operationMessage(
  original: Message,
  operation: Message,
  publication: OperationPublication,
  now: number,
): Message {
  return {
    ...(original.name !== undefined ? { name: original.name } : {}),
    ...(original.clientId !== undefined ? { clientId: original.clientId } : {}),
    ...(operation.data !== undefined ? { data: operation.data } : {}),
    ...(operation.encoding !== undefined ? { encoding: operation.encoding } : {}),
    ...(operation.extras !== undefined ? { extras: operation.extras } : {}),
    // Unique per operation, so a resend of it is recognised (see ClusterChanges).
    id: `${publication.pmId}:${publication.index ?? 0}`,
    connectionId: publication.connectionId,
    // A message keeps its creation time; when it changed is `version.timestamp` (TM2s2).
    timestamp: original.timestamp ?? now,
    action: operation.action!,
    serial: operation.serial!,
    version: { ...operation.version, timestamp: now },
  };
}

/** Whether a logged message is an operation on an earlier one (only those carry `version`). */
export const isOperationMessage = (m: Message): boolean => m.version !== undefined;
