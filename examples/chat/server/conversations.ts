import { randomUUID } from 'node:crypto';
import {
  MAX_TEXT,
  type ChatMessage,
  type ConversationState,
  type ReadReceipt,
  type Role,
} from './contract.js';
import { HttpError } from './http-kit.js';

/** Conversations kept in memory: the state the polling page reads and the SLA clock runs on. */
export interface ConversationStore {
  /** The conversation and the caller's role in it; 404 or 403 otherwise. */
  forUser(conversationId: string, userId: string): { state: ConversationState; role: Role };
  addMessage(conversationId: string, userId: string, text: unknown): ChatMessage;
  markRead(conversationId: string, userId: string, messageId: unknown): ReadReceipt;
}

/** Creates the store with its conversations, each between one customer and one agent. */
export function createConversationStore(
  conversations: { id: string; customer: string; agent: string }[],
): ConversationStore {
  const states = new Map<string, ConversationState>();
  for (const c of conversations)
    states.set(c.id, { ...c, messages: [], reads: {}, slaWarning: null });

  function forUser(conversationId: string, userId: string) {
    const state = states.get(conversationId);
    if (!state) throw new HttpError(404, `no conversation ${conversationId}`);
    const role: Role | undefined =
      state.customer === userId ? 'customer' : state.agent === userId ? 'agent' : undefined;
    if (!role) throw new HttpError(403, `${userId} is not in conversation ${conversationId}`);
    return { state, role };
  }

  return {
    forUser,
    addMessage(conversationId, userId, text) {
      const { state, role } = forUser(conversationId, userId);
      if (typeof text !== 'string' || text.trim() === '')
        throw new HttpError(400, 'text must be a non-empty string');
      if (text.length > MAX_TEXT) throw new HttpError(400, `text is over ${MAX_TEXT} characters`);
      const message: ChatMessage = {
        id: randomUUID(),
        role,
        author: userId,
        text: text.trim(),
        at: new Date().toISOString(),
      };
      state.messages.push(message);
      // An agent's answer settles whatever the customer was waiting for.
      if (role === 'agent') state.slaWarning = null;
      return message;
    },
    markRead(conversationId, userId, messageId) {
      const { state, role } = forUser(conversationId, userId);
      if (typeof messageId !== 'string' || !state.messages.some((m) => m.id === messageId))
        throw new HttpError(400, 'messageId must name a message of this conversation');
      const receipt: ReadReceipt = {
        messageId,
        by: userId,
        role,
        readAt: new Date().toISOString(),
      };
      state.reads[role] = receipt;
      return receipt;
    },
  };
}
