/** Flattened stats entries, e.g. `messages.inbound.all.messages.count` (protocol v3+ form). */
export type StatsEntries = Record<string, number>;

/** Adds `entries` into `target`: counters sum, `.peak` entries keep the maximum. */
export function mergeEntries(target: StatsEntries, entries: Readonly<StatsEntries>): void {
  for (const [key, value] of Object.entries(entries)) {
    target[key] = key.endsWith('.peak')
      ? Math.max(target[key] ?? 0, value)
      : (target[key] ?? 0) + value;
  }
}
