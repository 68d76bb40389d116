import type { Message } from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import { withSummaries } from '../channels/annotation-reads.js';
import type { HistoryKind } from '../ports/history.js';
import type { HistoryQuery as PageQuery, Page } from './paging.js';

/**
 * One page of a persisted channel's history, read from the store: the same query and cursor
 * (`<seq>_<index>`) as in-memory history, so paging continues across a restart.
 */
export async function storedHistoryPage(
  ctx: EngineContext,
  appId: string,
  channel: string,
  kind: HistoryKind,
  q: PageQuery,
): Promise<Page<unknown>> {
  const rows = await ctx.history.readHistory({
    appId,
    channel,
    kind,
    backwards: q.backwards,
    // One more than the page tells whether there is a next page, and where it starts.
    limit: q.limit + 1,
    start: q.start,
    end: q.end,
    ...(q.untilSeq !== undefined ? { untilSeq: q.untilSeq } : {}),
    ...(q.cursor ? { from: q.cursor } : {}),
    asSent: false,
  });
  const page = rows.slice(0, q.limit).map((r) => r.item);
  // Messages show their latest annotation summary (TM2u), kept in the store too.
  const items =
    kind === 'message' ? await withSummaries(ctx, appId, channel, page as Message[]) : page;
  const after = rows[q.limit];
  return after ? { items, next: `${after.seq}_${after.index}` } : { items };
}
