import type { PageQuery, StorePage } from './audit-store.js';

/**
 * Pages rows the way the SQL stores do: sort by `compare`, skip up to and including the cursor
 * row, take `limit`, and hand back the last row's cursor when more follow.
 * The in-memory stores' paging; O(n log n) per page, which a reference store can afford.
 */
export function pageRows<T>(
  rows: T[],
  query: PageQuery,
  compare: (a: T, b: T) => number,
  cursorOf: (row: T) => string,
  /** Where a row sorts against the cursor's row (negative: before it, in forward order). */
  compareToCursor: (row: T, cursor: string) => number,
): StorePage<T> {
  const sign = query.backwards ? -1 : 1;
  const sorted = rows.sort((a, b) => sign * compare(a, b));
  const cursor = query.cursor;
  const start =
    cursor === undefined ? sorted : sorted.filter((r) => sign * compareToCursor(r, cursor) > 0);
  const items = start.slice(0, query.limit);
  const last = items[items.length - 1];
  return start.length > query.limit && last !== undefined
    ? { items, next: cursorOf(last) }
    : { items };
}

/** Deletes up to `limit` entries the predicate selects; the in-memory stores' pruning. */
export function pruneMap<K, T>(
  map: Map<K, T>,
  select: (value: T) => boolean,
  limit: number,
): number {
  let deleted = 0;
  for (const [id, value] of map) {
    if (deleted >= limit) break;
    if (select(value) && map.delete(id)) deleted++;
  }
  return deleted;
}
