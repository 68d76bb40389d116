/** One page of a paged REST resource and the path of the next (older) page, if any. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * The path of the `rel="next"` link in a Link header (Ably's paging, `<./messages?…>; rel="next"`),
 * resolved against the path of the request that returned it; undefined on the last page.
 */
export function nextLink(link: string | null, requestPath: string): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part);
    if (!m) continue;
    const url = new URL(m[1]!, new URL(requestPath, 'http://page.invalid'));
    return url.pathname + url.search;
  }
  return undefined;
}
