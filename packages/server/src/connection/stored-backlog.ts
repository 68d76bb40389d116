import { Action, type Message } from '@switchboard/protocol';
import { withSummaries } from '../channels/annotation-reads.js';
import type { Channel } from '../channels/channel.js';
import type { LogEntry } from '../channels/message-log.js';
import { createOutboundFrame } from '../channels/outbound-frame.js';
import type { EngineContext } from '../context.js';
import type { HistoryItem } from '../ports/history.js';

/**
 * What a client missed on a persisted channel when the in-memory log no longer reaches back (after
 * a restart, or a long absence): the entries after `afterSeq` up to `upToSeq` from the store, as
 * they were sent, then what the memory log holds after that. Undefined when there is more than
 * `limit` messages to replay: the client then attaches without RESUMED.
 */
export async function storedBacklog(
  ctx: EngineContext,
  channel: Channel,
  afterSeq: number,
  upToSeq: number,
  limit: number,
): Promise<LogEntry[] | undefined> {
  const rows = await ctx.history.readHistory({
    appId: channel.appId,
    channel: channel.name,
    kind: 'message',
    backwards: false,
    afterSeq,
    untilSeq: upToSeq,
    limit: limit + 1,
    asSent: true,
  });
  if (rows.length > limit) return undefined;
  return [...entriesOf(channel, rows), ...newerThan(channel, upToSeq)];
}

/** Stored items grouped back into the entries (one frame per sequence number) they were sent in. */
function entriesOf(channel: Channel, rows: HistoryItem[]): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const row of rows) {
    let entry = entries[entries.length - 1];
    if (!entry || entry.seq !== row.seq) {
      entry = {
        seq: row.seq,
        timestamp: row.timestamp,
        messages: [],
        frame: createOutboundFrame({ action: Action.MESSAGE }),
      };
      entries.push(entry);
    }
    entry.messages.push(row.item as Message);
  }
  for (const entry of entries) {
    entry.frame = createOutboundFrame({
      action: Action.MESSAGE,
      channel: channel.name,
      channelSerial: channel.serialOf(entry.seq),
      timestamp: entry.timestamp,
      messages: entry.messages,
    });
  }
  return entries;
}

/** What was logged in memory while the store was read (or after `upToSeq`): it follows on. */
function newerThan(channel: Channel, upToSeq: number): LogEntry[] {
  return channel.log.entries().filter((e) => e.seq > upToSeq);
}

/** What `rewind` asks for: the last `count` messages, or those of the last `sinceMs` (at most 100). */
export type RewindRange = { count: number } | { since: number };

/** Parses `rewind` (`10`, `30s`, `2m`, `1h`) into a range; undefined when malformed. */
export function parseRewind(rewind: string, now: number): RewindRange | undefined {
  if (/^\d+$/.test(rewind)) return { count: Math.min(Number(rewind), 100) };
  const m = /^(\d+)(s|m|h)$/.exec(rewind);
  if (!m) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  return { since: now - Number(m[1]) * unit };
}

/**
 * A persisted channel's rewind from the store (RTL4, `rewind` param): the latest versions of the
 * last messages up to `upToSeq` with their summaries, oldest first, then what memory logged after it.
 */
export async function storedRewind(
  ctx: EngineContext,
  channel: Channel,
  range: RewindRange,
  upToSeq: number,
): Promise<LogEntry[]> {
  const limit = 'count' in range ? range.count : 100;
  if (limit === 0) return [];
  const rows = await ctx.history.readHistory({
    appId: channel.appId,
    channel: channel.name,
    kind: 'message',
    backwards: true,
    untilSeq: upToSeq,
    ...('since' in range ? { start: range.since } : {}),
    limit,
    asSent: false,
  });
  // Rewound messages show their latest annotation summary, as history does (TM2u).
  const shown = await withSummaries(
    ctx,
    channel.appId,
    channel.name,
    rows.map((r) => r.item as Message),
  );
  const withShown = rows.map((r, i) => ({ ...r, item: shown[i]! }));
  return [...entriesOf(channel, withShown.reverse()), ...newerThan(channel, upToSeq)];
}
