import { useCallback, useEffect, useState } from 'react';
import { sameStep } from '../server/contract.js';
import { loadSession, type SessionEvent, type SessionState } from './api.js';

/** The session state, with live events folded in before the next fetch confirms them. */
export interface SessionView {
  state: SessionState | null;
  error: string | null;
  /** Replaces the state with a fresher one (a fetch, or an action's answer). */
  replace(next: SessionState): void;
  /** Folds in an event heard live; one the state already has is ignored. */
  addLive(event: SessionEvent): void;
}

/** Applies an event to a state: its log, and the actor's progress. */
function fold(state: SessionState, event: SessionEvent): SessionState {
  if (state.events.some((e) => sameStep(e, event))) return state;
  const progress = { ...state.progress };
  const mine = progress[event.by];
  if (mine) {
    progress[event.by] =
      event.name === 'partner.signed_compact'
        ? { ...mine, compactSignedAt: event.at }
        : {
            ...mine,
            completedStages: [...new Set([...mine.completedStages, event.stage ?? 0])].sort(),
          };
  }
  return { ...state, progress, events: [...state.events, event] };
}

/** Keeps live events the fetched state does not have yet (it may have been read just before). */
function merge(fetched: SessionState, current: SessionState | null): SessionState {
  if (!current) return fetched;
  const missing = current.events.filter((e) => !fetched.events.some((f) => sameStep(f, e)));
  return missing.reduce(fold, fetched);
}

/**
 * Loads the session, polls it every `pollMs` while realtime is down, and reloads it once when
 * realtime comes back: whatever happened meanwhile (including events that went out as pushes
 * because this user was away) is on the page without a refresh.
 */
export function useSessionState(
  sessionId: string,
  user: string,
  realtimeDown: boolean,
  pollMs: number,
): SessionView {
  const [state, setState] = useState<SessionState | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    loadSession(sessionId, user).then(
      (fetched) => {
        setError(null);
        setState((current) => merge(fetched, current));
      },
      (err: unknown) => setError(String(err)),
    );
  }, [sessionId, user]);

  // On mount, and each time realtime comes back up.
  useEffect(() => {
    if (!realtimeDown) refresh();
  }, [realtimeDown, refresh]);

  useEffect(() => {
    if (!realtimeDown) return;
    refresh();
    const timer = setInterval(refresh, pollMs);
    return () => clearInterval(timer);
  }, [realtimeDown, pollMs, refresh]);

  return {
    state,
    error,
    replace: useCallback((next) => setState((current) => merge(next, current)), []),
    addLive: useCallback((event) => setState((s) => (s ? fold(s, event) : s)), []),
  };
}
