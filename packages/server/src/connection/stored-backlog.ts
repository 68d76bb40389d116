import { Action, type Message } from '@switchboard/protocol';
import type { Channel } from '../channels/channel.js';
import type { LogEntry } from '../channels/message-log.js';
import { createOutboundFrame } from '../channels/outbound-frame.js';
import type { EngineContext } from '../context.js';

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
  // What was logged in memory while the store was read (or after `upToSeq`) follows on.
  const newer = channel.log.entries().filter((e) => e.seq > upToSeq);
  return [...entries, ...newer];
}
