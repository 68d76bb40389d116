import type { Message } from '@switchboard/protocol';
import { parseSerial } from './serial.js';
import type { EngineContext } from '../context.js';
import { readableChannel } from './readable-channel.js';

type Summary = Record<string, unknown>;

/**
 * The summaries of messages (TM2u): the channel's own while it holds them, else, for a persisted
 * channel, the stored ones (after a restart, or of messages older than what memory keeps).
 */
export async function summariesOf(
  ctx: EngineContext,
  appId: string,
  name: string,
  serials: readonly string[],
): Promise<Map<string, Summary>> {
  const channel = await readableChannel(ctx, appId, name);
  const found = new Map<string, Summary>();
  const missing: string[] = [];
  for (const serial of serials) {
    const summary = channel?.annotations.summary(serial);
    if (summary) found.set(serial, summary);
    else missing.push(serial);
  }
  if (missing.length === 0 || !ctx.channels.persistedState(appId, name)) return found;
  for (const r of await ctx.history.readSummaries(appId, name, missing))
    found.set(r.messageSerial, r.summary);
  return found;
}

/** One message's summary, as `summariesOf` finds it. */
export async function summaryOf(
  ctx: EngineContext,
  appId: string,
  name: string,
  serial: string,
): Promise<Summary | undefined> {
  return (await summariesOf(ctx, appId, name, [serial])).get(serial);
}

/** Messages with their summaries attached, as history and `getMessage` show them (TM2u). */
export async function withSummaries(
  ctx: EngineContext,
  appId: string,
  name: string,
  messages: Message[],
): Promise<Message[]> {
  const serials = messages.flatMap((m) => (m.serial ? [m.serial] : []));
  if (serials.length === 0) return messages;
  const summaries = await summariesOf(ctx, appId, name, serials);
  return messages.map((m) => {
    const summary = m.serial ? summaries.get(m.serial) : undefined;
    return summary ? { ...m, annotations: { ...m.annotations, summary } } : m;
  });
}

/**
 * The latest version of a message (RSL11): the channel's, else for a persisted channel the
 * store's, so a message older than the in-memory log, or published before a restart, is found.
 */
export async function latestMessageOf(
  ctx: EngineContext,
  appId: string,
  name: string,
  serial: string,
): Promise<Message | undefined> {
  const inMemory = (await readableChannel(ctx, appId, name))?.latestVersion(serial);
  if (inMemory) return inMemory;
  const persisted = ctx.channels.persistedState(appId, name);
  if (!persisted) return undefined;
  const colon = serial.lastIndexOf(':');
  const position = parseSerial(serial.slice(0, colon));
  const index = Number(serial.slice(colon + 1));
  if (!position || position.epoch !== persisted.epoch || !Number.isSafeInteger(index) || index < 0)
    return undefined;
  const [row] = await ctx.history.readHistory({
    appId,
    channel: name,
    kind: 'message',
    backwards: false,
    limit: 1,
    from: { seq: position.seq, index },
    untilSeq: position.seq,
    asSent: false,
  });
  return row && row.seq === position.seq && row.index === index ? (row.item as Message) : undefined;
}
