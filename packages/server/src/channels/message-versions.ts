import { MessageAction, type Message } from '@switchboard/protocol';

/**
 * Every version of a channel's recent messages by serial (TM2s): the create, then each update,
 * delete or append. `latest` is what getMessage returns; appends are folded into the data and
 * reported as an update.
 */
export interface MessageVersions {
  recordCreate(message: Message): void;
  /** Records an operation; returns the new latest version, or undefined if the serial is unknown. */
  recordOperation(operation: Message): Message | undefined;
  has(serial: string): boolean;
  latest(serial: string): Message | undefined;
  all(serial: string): Message[];
}

function appendData(base: Message, fragment: Message): Pick<Message, 'data' | 'encoding'> {
  if (
    typeof base.data === 'string' &&
    typeof fragment.data === 'string' &&
    base.encoding === fragment.encoding
  ) {
    return {
      data: base.data + fragment.data,
      ...(base.encoding ? { encoding: base.encoding } : {}),
    };
  }
  if (base.data instanceof Uint8Array && fragment.data instanceof Uint8Array) {
    return {
      data: Buffer.concat([base.data, fragment.data]),
      ...(base.encoding ? { encoding: base.encoding } : {}),
    };
  }
  return {
    ...(fragment.data !== undefined ? { data: fragment.data } : {}),
    ...(fragment.encoding ? { encoding: fragment.encoding } : {}),
  };
}

/** Creates the store, keeping at most `capacity` messages (oldest forgotten first). */
export function createMessageVersions(capacity: number): MessageVersions {
  const versions = new Map<string, Message[]>();
  return {
    recordCreate(message) {
      if (!message.serial) return;
      versions.set(message.serial, [message]);
      if (versions.size > capacity) versions.delete(versions.keys().next().value!);
    },
    recordOperation(operation) {
      const list = operation.serial ? versions.get(operation.serial) : undefined;
      if (!list) return undefined;
      const current = list[list.length - 1]!;
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
    has: (serial) => versions.has(serial),
    latest: (serial) => versions.get(serial)?.at(-1),
    all: (serial) => [...(versions.get(serial) ?? [])],
  };
}
