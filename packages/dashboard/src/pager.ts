import type { Api } from './api.js';
import { byId, messageRow, row, tbody } from './dom.js';

/** What a paged table shows: where its first page is, and how one item becomes cells. */
export interface PagerSpec<T> {
  /** The table's id in index.html. */
  table: string;
  columns: number;
  /** The "Newest" and "Older" buttons' ids, and the id of the line that says where we are. */
  firstButton: string;
  olderButton: string;
  position: string;
  cells(item: T): (string | number)[];
  /** What an empty first page says. */
  empty: string;
}

/** A table paged with Ably's Link headers: newest page first, "Older" follows `rel="next"`. */
export interface Pager {
  /** Shows the first page of `path` (a new query). */
  open(path: string): Promise<void>;
}

/** Binds a paged table and its two buttons. */
export function createPager<T>(api: Api, spec: PagerSpec<T>): Pager {
  let next: string | undefined;
  let pageNumber = 0;
  let first: string | undefined;
  const older = byId<HTMLButtonElement>(spec.olderButton);

  const show = async (path: string, n: number): Promise<void> => {
    try {
      const page = await api.page<T>(path);
      next = page.next;
      pageNumber = n;
      const rows = page.items.map((item) => row(spec.cells(item)));
      tbody(spec.table).replaceChildren(
        ...(rows.length ? rows : [messageRow(n === 1 ? spec.empty : 'No more', spec.columns)]),
      );
      byId(spec.position).textContent =
        `Page ${n}, ${page.items.length} shown${next ? '' : ', the last'}`;
    } catch (err) {
      next = undefined;
      tbody(spec.table).replaceChildren(messageRow(String(err), spec.columns));
      byId(spec.position).textContent = '';
    }
    older.disabled = next === undefined;
  };

  byId(spec.firstButton).addEventListener('click', () => {
    if (first) void show(first, 1);
  });
  older.addEventListener('click', () => {
    if (next) void show(next, pageNumber + 1);
  });
  const newest = byId<HTMLButtonElement>(spec.firstButton);
  older.disabled = true;
  newest.disabled = true;
  return {
    open(path) {
      first = path;
      newest.disabled = false;
      return show(path, 1);
    },
  };
}
