import type { ChatMessage, ConversationState, ReadReceipt, SlaWarning } from './api.js';

/** Adds a message heard live (once: a resync may already have it); an agent's answer ends the SLA warning. */
export function withMessage(state: ConversationState, message: ChatMessage): ConversationState {
  if (state.messages.some((m) => m.id === message.id)) return state;
  return {
    ...state,
    messages: [...state.messages, message],
    slaWarning: message.role === 'agent' ? null : state.slaWarning,
  };
}

export function withReceipt(state: ConversationState, receipt: ReadReceipt): ConversationState {
  return { ...state, reads: { ...state.reads, [receipt.role]: receipt } };
}

export function withSlaWarning(state: ConversationState, warning: SlaWarning): ConversationState {
  // A warning that arrives after the agent has answered is stale.
  const newest = state.messages.at(-1);
  return !newest || newest.role === 'agent' ? state : { ...state, slaWarning: warning };
}

/** Keeps live messages that a fetched state (read a moment earlier) does not have yet. */
export function mergeFetched(
  fetched: ConversationState,
  current: ConversationState | null,
): ConversationState {
  if (!current) return fetched;
  return current.messages.reduce(withMessage, fetched);
}
