import { MessageAction, messageSize, type Message } from '@switchboard/protocol';

/**
 * The versions of messages that were updated, deleted or appended to (TM2s), by serial. A message
 * never changed has only its original, which lives in the log and is found there, so publishing
 * costs nothing here. `latest` folds appends into the data and reports them as an update.
 */
export interface MessageVersions {
  /** Records an operation on `original`; returns the new latest version. */
  recordOperation(original: Message, operation: Message): Message;
  /** Every version kept after the original, oldest first. */
  changes(serial: string): readonly Message[];
}

/** How many changes are kept: per channel by message count and bytes, per message by count. */
export interface VersionCaps {
  /** Messages whose changes are kept (the oldest message's changes are forgotten first). */
  messages: number;
  /** Versions kept per message; older intermediate versions are dropped, the latest never. */
  perMessage: number;
  /** Bytes of all kept versions of the channel. */
  bytes: number;
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

/**
 * The version an operation makes of `current` (its latest version): an append joins the data,
 * an update or delete replaces it. Pure, so a caller can check the result's size first.
 */
export function nextVersion(current: Message, operation: Message): Message {
  const { data: _d, encoding: _e, ...rest } = current;
  const payload =
    operation.action === MessageAction.APPEND
      ? appendData(current, operation)
      : {
          ...(operation.data !== undefined ? { data: operation.data } : {}),
          ...(operation.encoding ? { encoding: operation.encoding } : {}),
        };
  return {
    ...rest,
    ...payload,
    action: operation.action === MessageAction.APPEND ? MessageAction.UPDATE : operation.action!,
    ...(operation.version ? { version: operation.version } : {}),
  };
}

/** Creates the store of versions, bounded by `caps`. */
export function createMessageVersions(caps: VersionCaps): MessageVersions {
  const versions = new Map<string, { list: Message[]; sizes: number[] }>();
  let totalBytes = 0;

  const dropOldestOf = (entry: { list: Message[]; sizes: number[] }): void => {
    entry.list.shift();
    totalBytes -= entry.sizes.shift() ?? 0;
  };

  // Past the byte budget, the oldest messages keep only their latest version, then lose even that.
  const enforceBytes = (): void => {
    for (const entry of versions.values()) {
      if (totalBytes <= caps.bytes) return;
      while (entry.list.length > 1) dropOldestOf(entry);
    }
    for (const [serial, entry] of versions) {
      if (totalBytes <= caps.bytes) return;
      while (entry.list.length > 0) dropOldestOf(entry);
      versions.delete(serial);
    }
  };

  return {
    recordOperation(original, operation) {
      const serial = original.serial!;
      let entry = versions.get(serial);
      if (!entry) {
        versions.set(serial, (entry = { list: [], sizes: [] }));
        if (versions.size > caps.messages) {
          const [oldestSerial, oldest] = versions.entries().next().value!;
          while (oldest.list.length > 0) dropOldestOf(oldest);
          versions.delete(oldestSerial);
        }
      }
      const latest = nextVersion(entry.list[entry.list.length - 1] ?? original, operation);
      const size = messageSize(latest);
      entry.list.push(latest);
      entry.sizes.push(size);
      totalBytes += size;
      while (entry.list.length > caps.perMessage) dropOldestOf(entry);
      enforceBytes();
      return latest;
    },
    changes: (serial) => versions.get(serial)?.list ?? [],
  };
}
