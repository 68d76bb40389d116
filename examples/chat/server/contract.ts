import { chatConversationChannel } from '@switchboard/kit/client';

/**
 * What the chat backend and page share (no Node imports, so the page bundles it): the channel and
 * event names of a conversation from the kit's chat catalog, and the shapes of the JSON the
 * backend answers.
 */
export const conversationChannel = (conversationId: string) =>
  chatConversationChannel.name({ conversationId });

/**
 * Event names on `conversation:{id}`, as the chat catalog names them. The catalog's broker reply
 * (`message:ai`) carries the agent's answers, with the agent's name as `persona`.
 */
export const ChatEvents = {
  customerMessage: 'message:user',
  agentMessage: 'message:ai',
  typingStart: 'typing:start',
  typingStop: 'typing:stop',
  read: 'read',
  slaWarning: 'sla:warning',
  suggestionSelected: 'ui:suggestionSelected',
} as const;

export type Role = 'customer' | 'agent';

/** Conversation and user ids: short, and safe inside a channel name (no `:`, `*`, `[`). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Longest message text accepted, characters. */
export const MAX_TEXT = 2000;

/** One chat message. */
export interface ChatMessage {
  id: string;
  role: Role;
  author: string;
  text: string;
  at: string;
}

/** A read receipt: `by` has read everything up to and including `messageId`. */
export interface ReadReceipt {
  messageId: string;
  by: string;
  role: Role;
  readAt: string;
}

/** An unanswered customer message past the SLA threshold. */
export interface SlaWarning {
  messageId: string;
  thresholdMs: number;
  waitedMs: number;
  severity: 'warning';
}

/** Everything the page shows, as GET /api/conversations/:id answers it (the polling path). */
export interface ConversationState {
  id: string;
  customer: string;
  agent: string;
  messages: ChatMessage[];
  /** The newest read receipt of each role. */
  reads: Partial<Record<Role, ReadReceipt>>;
  /** Set while the newest customer message waits longer than the SLA allows. */
  slaWarning: SlaWarning | null;
}

/** The Switchboard address as the official client's `endpoint`, `port` and `tls` options. */
export interface ClientEndpoint {
  endpoint: string;
  port: number;
  tls: boolean;
}

/** What the page reads at start (GET /api/config). */
export interface PageConfig {
  switchboard: ClientEndpoint;
  /** ENABLE_REALTIME: false makes the page poll instead of opening a realtime connection. */
  realtime: boolean;
  pollMs: number;
  /** Quiet time after the last keystroke before typing:stop goes out. */
  typingIdleMs: number;
  /** Quick replies offered to the customer. */
  suggestions: string[];
}
