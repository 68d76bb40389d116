import type { ConnectionState } from '@switchboard/kit/client';

/** What the connection banner shows, after the mediation app's recovery table. */
export type Banner =
  | { kind: 'none' }
  | { kind: 'reconnecting'; text: string }
  | { kind: 'saved'; text: string }
  | { kind: 'failed'; text: string };

export const BANNER_TEXT = {
  reconnecting: 'Reconnecting…',
  saved: 'Connection lost. Your progress is saved.',
  failed: 'We could not reconnect. Refresh the page to continue.',
} as const;

/**
 * The banner for a connection state and how long the connection has been down:
 *
 * | state                   | shown                                          |
 * |-------------------------|------------------------------------------------|
 * | disconnected, < silentMs | nothing: most drops heal unnoticed             |
 * | disconnected, longer    | "Reconnecting…" (until suspended, ~2 minutes) |
 * | suspended               | "Connection lost. Your progress is saved."     |
 * | failed                  | a refresh prompt                               |
 *
 * `connecting` during an outage counts as disconnected (the client retries in between).
 */
export function bannerFor(state: ConnectionState, downForMs: number, silentMs: number): Banner {
  switch (state) {
    case 'failed':
      return { kind: 'failed', text: BANNER_TEXT.failed };
    case 'suspended':
      return { kind: 'saved', text: BANNER_TEXT.saved };
    case 'disconnected':
    case 'connecting':
      return downForMs >= silentMs
        ? { kind: 'reconnecting', text: BANNER_TEXT.reconnecting }
        : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}
