import type { ConnectionStatsRecord } from '../ports/audit-store.js';
import type { Store } from '../ports/store.js';
import type { Session } from '../session/session.js';

/** Connection rows per store call. */
export const CONNECTION_BATCH = 500;

/**
 * How often a live connection's row is rewritten as it goes: new and finished connections are
 * written at the next flush, but rewriting every busy connection each second cost a tenth of the
 * server's time under load, so activity and counters have this resolution.
 */
export const ACTIVITY_REWRITE_MS = 10_000;

/** The connection-stats write-behind state. */
export interface ConnectionStatsWriter {
  /** A session opened: its row is written by the next flush. */
  open(session: Session, now: number): void;
  /** A session was discarded (closed, or its resume window ran out): written by the next flush. */
  finish(session: Session, reason: string, now: number): void;
  /** An SSE heartbeat reached the session's stream: its last activity (last_heartbeat_at) moves. */
  heartbeat(session: Session, now: number): void;
  /** Writes new, changed and finished connections; resolves true when more are pending. */
  flush(now: number): Promise<boolean>;
  /** Finished rows dropped because the store kept failing. */
  readonly dropped: number;
}

interface Tracked {
  session: Session;
  connectedAt: number;
  lastActivityAt: number;
  /** What carried it (`websocket`, `sse`), as it opened: the transport is gone when it finishes. */
  transport: string;
  /** A heartbeat moved lastActivityAt since the row was last written. */
  heartbeatDue: boolean;
  /** The counters and clientId as last written; -1 until the first write. */
  writtenIn: number;
  writtenOut: number;
  writtenClientId: string | undefined;
  writtenAt: number;
  finished?: { at: number; reason: string };
}

/**
 * Creates the writer. Counting costs the hot path two integer increments on the session; this
 * compares them with what was written once per flush, so last activity has flush resolution.
 */
export function createConnectionStatsWriter(
  store: Pick<Store, 'saveConnectionStats'>,
  maxFinished: number,
): ConnectionStatsWriter {
  const live = new Map<Session, Tracked>();
  const finished: Tracked[] = [];
  let dropped = 0;
  const recordOf = (t: Tracked): ConnectionStatsRecord => {
    const s = t.session;
    const record: ConnectionStatsRecord = {
      connectionId: s.id,
      appId: s.auth.app.record.id,
      transport: t.transport,
      format: s.options.format,
      connectedAt: t.connectedAt,
      lastActivityAt: t.lastActivityAt,
      messagesIn: s.messagesIn,
      messagesOut: s.messagesOut,
    };
    if (s.auth.clientId !== undefined) record.clientId = s.auth.clientId;
    if (t.finished) {
      record.disconnectedAt = t.finished.at;
      record.disconnectReason = t.finished.reason;
    }
    return record;
  };
  const changed = (t: Tracked): boolean =>
    t.heartbeatDue ||
    t.writtenIn !== t.session.messagesIn ||
    t.writtenOut !== t.session.messagesOut ||
    t.writtenClientId !== t.session.auth.clientId;
  return {
    open(session, now) {
      live.set(session, {
        session,
        connectedAt: now,
        lastActivityAt: now,
        transport: session.transport?.kind ?? 'websocket',
        heartbeatDue: false,
        writtenIn: -1,
        writtenOut: -1,
        writtenClientId: undefined,
        writtenAt: 0,
      });
    },
    heartbeat(session, now) {
      const t = live.get(session);
      if (!t) return;
      t.lastActivityAt = now;
      t.heartbeatDue = true;
    },
    finish(session, reason, now) {
      const t = live.get(session);
      if (!t) return;
      live.delete(session);
      t.finished = { at: now, reason };
      t.lastActivityAt = now;
      finished.push(t);
      while (finished.length > maxFinished) {
        finished.shift();
        dropped++;
      }
    },
    async flush(now) {
      const batch: Tracked[] = finished.splice(0, CONNECTION_BATCH);
      for (const t of live.values()) {
        if (batch.length >= CONNECTION_BATCH) break;
        if (!changed(t)) continue;
        // A heartbeat is what an SSE row's last activity means (last_heartbeat_at), and comes at
        // most every 100 ms (usually 30 s): it is written at the next flush.
        if (t.writtenIn >= 0 && !t.heartbeatDue && now - t.writtenAt < ACTIVITY_REWRITE_MS)
          continue;
        if (t.writtenIn >= 0 && !t.heartbeatDue) t.lastActivityAt = now;
        batch.push(t);
      }
      const full = batch.length >= CONNECTION_BATCH;
      if (batch.length === 0) return false;
      const records = batch.map(recordOf);
      try {
        await store.saveConnectionStats(records);
      } catch (err) {
        finished.unshift(...batch.filter((t) => t.finished));
        while (finished.length > maxFinished) {
          finished.shift();
          dropped++;
        }
        throw err;
      }
      batch.forEach((t, i) => {
        t.writtenIn = records[i]!.messagesIn;
        t.writtenOut = records[i]!.messagesOut;
        t.writtenClientId = records[i]!.clientId;
        t.writtenAt = now;
        t.heartbeatDue = false;
      });
      return full || finished.length > 0;
    },
    get dropped() {
      return dropped;
    },
  };
}
