import { useEffect, useRef } from 'react';
import { markRead, type ConversationState, type Role } from './api.js';

/**
 * Sends a read receipt for the newest message from the other side once it is on screen in a
 * visible tab, one per message.
 */
export function useMarkRead(
  state: ConversationState | null,
  role: Role,
  conversationId: string,
  user: string,
): void {
  const marked = useRef<string | null>(null);
  useEffect(() => {
    if (!state) return;
    const newest = state.messages.findLast((m) => m.role !== role);
    if (!newest || marked.current === newest.id || state.reads[role]?.messageId === newest.id)
      return;
    const send = () => {
      if (document.visibilityState !== 'visible' || marked.current === newest.id) return;
      marked.current = newest.id;
      markRead(conversationId, user, newest.id).catch(() => {
        marked.current = null;
      });
    };
    send();
    document.addEventListener('visibilitychange', send);
    return () => document.removeEventListener('visibilitychange', send);
  }, [state, role, conversationId, user]);
}
