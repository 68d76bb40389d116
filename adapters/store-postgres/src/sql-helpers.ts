import type { StorePage } from '@switchboard/server';

/**
 * SQL for a parameter of epoch milliseconds as a timestamptz. Integer interval arithmetic, not
 * `to_timestamp(double)`, so every millisecond value comes back exactly.
 */
export const msToTs = (param: string): string =>
  `(timestamptz 'epoch' + (${param})::bigint * interval '1 millisecond')`;

/** SQL for a timestamptz column as epoch milliseconds (bigint, read as a number). */
export const tsToMs = (column: string): string => `(extract(epoch from ${column}) * 1000)::bigint`;

/** Collects positional parameters while a query is assembled, returning each one's `$n`. */
export function params(): { add(value: unknown): string; values: unknown[] } {
  const values: unknown[] = [];
  return {
    values,
    add(value) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

/** Turns `limit + 1` fetched rows into a page whose `next` is the last kept row's cursor. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string): StorePage<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: cursorOf(items[items.length - 1]!) };
}

/**
 * The smallest string above every string starting with `prefix` (its last code point plus one),
 * so a prefix becomes an index range under the "C" collation; undefined when there is none.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix);
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  // Skip the surrogate range, which UTF-8 cannot hold.
  const next = last === 0xd7ff ? 0xe000 : last + 1;
  return points.join('') + String.fromCodePoint(next);
}
