import { Errors } from '@switchboard/protocol';
import type { LogEntry } from '../channels/message-log.js';
import { parseSerial } from '../channels/serial.js';

/** History query parameters (RSL2b): time window, direction, page size, position. */
export interface HistoryQuery {
  start: number;
  end: number;
  backwards: boolean;
  limit: number;
  /** Only entries at or before this sequence (`from_serial`, used by untilAttach, RTL10b). */
  untilSeq?: number;
  /** Opaque position to continue from (inclusive). */
  cursor?: { seq: number; index: number };
}

/** Reads and validates the history query; throws 40003 for bad values. */
export function parseHistoryQuery(
  query: URLSearchParams,
  maxLimit: number,
  epoch: string,
): HistoryQuery {
  const num = (name: string, fallback: number): number => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw Errors.invalidParameter(`Invalid ${name}: ${raw}`);
    return n;
  };
  const direction = query.get('direction') ?? 'backwards';
  if (direction !== 'backwards' && direction !== 'forwards') {
    throw Errors.invalidParameter(`Invalid direction: ${direction}`);
  }
  const limit = num('limit', 100);
  if (limit < 1 || limit > maxLimit) throw Errors.invalidParameter(`limit must be 1–${maxLimit}`);
  const q: HistoryQuery = {
    start: num('start', 0),
    end: num('end', Number.MAX_SAFE_INTEGER),
    backwards: direction === 'backwards',
    limit: Math.floor(limit),
  };
  if (q.start > q.end) throw Errors.invalidParameter('start must not be after end');
  const fromSerial = query.get('from_serial');
  if (fromSerial) {
    const pos = parseSerial(fromSerial);
    if (pos && pos.epoch === epoch) q.untilSeq = pos.seq;
  }
  const cursor = query.get('cursor');
  if (cursor) {
    const [seq, index] = cursor.split('_').map(Number);
    if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(index)) {
      throw Errors.invalidParameter('Invalid cursor');
    }
    q.cursor = { seq: seq!, index: index! };
  }
  return q;
}

/** One page of items and, when more exist, the cursor of the next page. */
export interface Page<T> {
  items: T[];
  next?: string;
}

const before = (a: { seq: number; index: number }, b: { seq: number; index: number }): boolean =>
  a.seq < b.seq || (a.seq === b.seq && a.index < b.index);

/** Pages through log entries' items newest-first or oldest-first. */
export function pageEntries<T>(
  entries: readonly LogEntry[],
  q: HistoryQuery,
  itemsOf: (entry: LogEntry) => readonly T[],
): Page<T> {
  const items: T[] = [];
  const n = entries.length;
  for (let k = 0; k < n; k++) {
    const entry = entries[q.backwards ? n - 1 - k : k]!;
    if (q.untilSeq !== undefined && entry.seq > q.untilSeq) continue;
    if (entry.timestamp < q.start || entry.timestamp > q.end) continue;
    const list = itemsOf(entry);
    for (let j = 0; j < list.length; j++) {
      const index = q.backwards ? list.length - 1 - j : j;
      const pos = { seq: entry.seq, index };
      if (q.cursor && (q.backwards ? before(q.cursor, pos) : before(pos, q.cursor))) continue;
      if (items.length === q.limit) return { items, next: `${pos.seq}_${pos.index}` };
      items.push(list[index]!);
    }
  }
  return { items };
}

/**
 * Query parameters that carry credentials. They are never echoed into a Link header: responses
 * end up in proxy and browser logs, and the client re-sends its credentials on the next request
 * anyway.
 */
const CREDENTIAL_PARAMS = ['key', 'access_token', 'accessToken'];

/** The Link header for a page (§8.2): `./<word>?<query>` entries, commas percent-encoded. */
export function linkHeader(word: string, query: URLSearchParams, next: string | undefined): string {
  const first = new URLSearchParams(query);
  first.delete('cursor');
  for (const name of CREDENTIAL_PARAMS) first.delete(name);
  const links = [`<./${word}?${first.toString()}>; rel="first"`];
  if (next) {
    const nextQuery = new URLSearchParams(first);
    nextQuery.set('cursor', next);
    links.push(`<./${word}?${nextQuery.toString()}>; rel="next"`);
  }
  return links.join(', ');
}
