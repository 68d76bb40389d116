/** Operations an Ably capability can grant on a channel. */
export type Operation =
  | 'publish'
  | 'subscribe'
  | 'presence'
  | 'history'
  | 'channel-metadata'
  | 'push-subscribe'
  | 'push-admin'
  | 'object-subscribe'
  | 'object-publish'
  | 'annotation-publish'
  | 'annotation-subscribe';

/** A capability: channel name (or pattern) → operations, as a TokenRequest carries it (JSON-encoded). */
export type Capability = Record<string, Operation[]>;

/** Unions grants into one capability, each channel's operations deduplicated and sorted. */
export function mergeCapabilities(...grants: Capability[]): Capability {
  const merged = new Map<string, Set<Operation>>();
  for (const grant of grants) {
    for (const [channel, ops] of Object.entries(grant)) {
      let set = merged.get(channel);
      if (!set) merged.set(channel, (set = new Set()));
      for (const op of ops) set.add(op);
    }
  }
  return Object.fromEntries([...merged].map(([ch, ops]) => [ch, [...ops].sort()]));
}
