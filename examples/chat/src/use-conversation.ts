import { useCallback, useEffect, useState } from 'react';
import { loadConversation, type ConversationState } from './api.js';
import { mergeFetched } from './conversation-state.js';

/**
 * The conversation from the backend: loaded on mount and whenever `live` turns true again (a
 * resync after an outage), and polled every `pollMs` while it is false. `update` folds in what
 * arrives live.
 */
export function useConversation(
  conversationId: string,
  user: string,
  live: boolean,
  pollMs: number,
) {
  const [state, setState] = useState<ConversationState | null>(null);
  const [failing, setFailing] = useState(false);

  const refresh = useCallback(() => {
    loadConversation(conversationId, user).then(
      (fetched) => {
        setFailing(false);
        setState((current) => mergeFetched(fetched, current));
      },
      () => setFailing(true),
    );
  }, [conversationId, user]);

  useEffect(() => {
    refresh();
    if (live) return;
    const timer = setInterval(refresh, pollMs);
    return () => clearInterval(timer);
  }, [live, pollMs, refresh]);

  const update = useCallback(
    (change: (s: ConversationState) => ConversationState) => setState((s) => (s ? change(s) : s)),
    [],
  );
  return { state, failing, refresh, update };
}
