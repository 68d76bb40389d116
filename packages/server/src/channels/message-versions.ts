import { MessageAction, type Message } from '@switchboard/protocol';

/**
 * The versions of messages that were updated, deleted or appended to (TM2s), by serial. A message
 * never changed has only its original, which lives in the log and is found there, so publishing
 * costs nothing here. `latest` folds appends into the data and reports them as an update.
 */
export interface MessageVersions {
  /** Records an operation on `original`; returns the new latest version. */
  recordOperation(original: Message, operation: Message): Message;
  /** Every version after the original, oldest first. */
  changes(serial: string): readonly Message[];
}

function appendData(base: Message, fragment: Message): Pick<Message, 'data' | 'encoding'> {
  const encoding = base.encoding ? { encoding: base.encoding } : {};
  if (
    typeof base.data === 'string' &&
    typeof fragment.data === 'string' &&
    base.encoding === fragment.encoding
  ) {
    return { data: base.data + fragment.data, ...encoding };
  }
  if (base.data instanceof Uint8Array && fragment.data instanceof Uint8Array) {
    return { data: Buffer.concat([base.data, fragment.data]), ...encoding };
  }
  return {
    ...(fragment.data !== undefined ? { data: fragment.data } : {}),
    ...(fragment.encoding ? { encoding: fragment.encoding } : {}),
  };
}

/** Creates the store, keeping the changes of at most `capacity` messages (oldest forgotten first). */
export function createMessageVersions(capacity: number): MessageVersions {
  const versions = new Map<string, Message[]>();
  return {
    recordOperation(original, operation) {
      const serial = original.serial!;
      let list = versions.get(serial);
      if (!list) {
        versions.set(serial, (list = []));
        if (versions.size > capacity) versions.delete(versions.keys().next().value!);
      }
      const current = list[list.length - 1] ?? original;
      const { data: _d, encoding: _e, ...rest } = current;
      const payload =
        operation.action === MessageAction.APPEND
          ? appendData(current, operation)
          : {
              ...(operation.data !== undefined ? { data: operation.data } : {}),
              ...(operation.encoding ? { encoding: operation.encoding } : {}),
            };
      const latest: Message = {
        ...rest,
        ...payload,
        action:
          operation.action === MessageAction.APPEND ? MessageAction.UPDATE : operation.action!,
        ...(operation.version ? { version: operation.version } : {}),
      };
      list.push(latest);
      return latest;
    },
    changes: (serial) => versions.get(serial) ?? [],
  };
}
