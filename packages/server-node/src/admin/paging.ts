import type { StorePage } from '@switchboard/server';

/** Reads pages of a cursor-paged store listing until `limit` rows or the end. */
export async function collectPages<T>(
  limit: number,
  read: (pageLimit: number, cursor: string | undefined) => Promise<StorePage<T>>,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    // Pages of at most 1000, so a large --limit never asks the store for one huge read.
    const page = await read(Math.min(1000, limit - rows.length), cursor);
    rows.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined && rows.length < limit);
  return rows.slice(0, limit);
}
