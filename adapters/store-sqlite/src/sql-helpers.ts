import type Database from 'better-sqlite3';
import type { StorePage } from '@switchboard/server';

/**
 * Prepares each distinct SQL text once: the list queries are assembled from the filters a call
 * uses (so SQLite can pick the index for each shape) and there are only a few shapes.
 */
export function statementCache(db: Database.Database): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}

/** A row with SQL NULLs left out, so optional fields read back as absent (as they were written). */
export function withoutNulls<T extends object>(row: Record<string, unknown>): T {
  for (const key of Object.keys(row)) if (row[key] === null) delete row[key];
  return row as T;
}

/** Turns `limit + 1` fetched rows into a page whose `next` is the last kept row's cursor. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string): StorePage<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: cursorOf(items[items.length - 1]!) };
}

/**
 * The smallest string above every string starting with `prefix` (its last code point plus one),
 * so a prefix becomes an index range; undefined when there is none.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix);
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  // Skip the surrogate range, which UTF-8 cannot hold.
  const next = last === 0xd7ff ? 0xe000 : last + 1;
  return points.join('') + String.fromCodePoint(next);
}
