import { chatCatalog, type RealtimeMessage } from '@switchboard/kit/client';
import { useChannel, useConnectionState, useTyping } from '@switchboard/react';
import { ChatEvents, conversationChannel } from '../server/contract.js';
import {
  sendMessage,
  type ChatMessage,
  type ConversationState,
  type PageConfig,
  type ReadReceipt,
  type Role,
  type SlaWarning,
} from './api.js';
import { ChatPanel } from './ChatPanel.js';
import { useChannelState } from './use-channel-state.js';
import { withMessage, withReceipt, withSlaWarning } from './conversation-state.js';
import { useConversation } from './use-conversation.js';
import { useMarkRead } from './use-mark-read.js';

interface Props {
  conversationId: string;
  user: string;
  role: Role;
  config: PageConfig;
}

/** What the reconnection alert says in each connection state (nothing while connected). */
function alertFor(state: string): string | null {
  if (state === 'disconnected' || state === 'suspended') return 'Connection lost. Reconnecting…';
  if (state === 'failed') return 'Connection failed. Refresh the page to reconnect.';
  return null;
}

const events = chatCatalog.conversation.events;

/** A message heard live, validated at the edge against the chat catalog (null: dropped). */
function liveMessage(m: RealtimeMessage): ChatMessage | null {
  const parsed =
    m.name === ChatEvents.customerMessage
      ? events['message:user'].safeParse(m.data)
      : events['message:ai'].safeParse(m.data);
  if (!parsed.success || !m.clientId) return null;
  const { messageId, content, timestamp } = parsed.data;
  return {
    id: messageId,
    role: m.name === ChatEvents.customerMessage ? 'customer' : 'agent',
    author: m.clientId,
    text: content,
    at: new Date(timestamp ?? m.timestamp).toISOString(),
  };
}

/** A read receipt heard live; the reader's role follows from who sent it. */
function liveReceipt(m: RealtimeMessage, state: ConversationState): ReadReceipt | null {
  const parsed = events.read.safeParse(m.data);
  if (!parsed.success || !m.clientId) return null;
  const role: Role = m.clientId === state.customer ? 'customer' : 'agent';
  const readAt = new Date(parsed.data.readAt).toISOString();
  return { messageId: parsed.data.messageId, by: m.clientId, role, readAt };
}

/** An SLA warning heard live. */
function liveSlaWarning(m: RealtimeMessage, state: ConversationState): SlaWarning | null {
  const parsed = events['sla:warning'].safeParse(m.data);
  const waiting = state.messages.findLast((x) => x.role === 'customer');
  if (!parsed.success || !waiting) return null;
  const { threshold, actual } = parsed.data;
  return { messageId: waiting.id, thresholdMs: threshold, waitedMs: actual, severity: 'warning' };
}

/** Applies `change` only when the live event validated; drops (and reports) it otherwise. */
function applyValid<T>(
  value: T | null,
  m: RealtimeMessage,
  state: ConversationState,
  change: (s: ConversationState, v: T) => ConversationState,
): ConversationState {
  if (value === null) {
    console.warn('dropped an event that does not match the chat catalog', m);
    return state;
  }
  return change(state, value);
}

/** The chat over Switchboard: messages, receipts and SLA warnings live, typing both ways. */
export function RealtimeChat({ conversationId, user, role, config }: Props) {
  const connection = useConnectionState();
  const live = connection === 'connected';
  // Polls only while realtime is down, and resyncs once it is back.
  const { state, update } = useConversation(conversationId, user, live, config.pollMs);
  const channel = conversationChannel(conversationId);

  const messageEvents = [ChatEvents.customerMessage, ChatEvents.agentMessage];
  useChannel(channel, messageEvents, (m: RealtimeMessage) =>
    update((s) => applyValid(liveMessage(m), m, s, withMessage)),
  );
  useChannel(channel, ChatEvents.read, (m: RealtimeMessage) =>
    update((s) => applyValid(liveReceipt(m, s), m, s, withReceipt)),
  );
  const { publish } = useChannel(channel, ChatEvents.slaWarning, (m: RealtimeMessage) =>
    update((s) => applyValid(liveSlaWarning(m, s), m, s, withSlaWarning)),
  );
  const typing = useTyping(channel, {
    idleMs: config.typingIdleMs,
    startEvent: ChatEvents.typingStart,
    stopEvent: ChatEvents.typingStop,
    payload: { actor: role },
  });
  useMarkRead(state, role, conversationId, user);
  const feed = useChannelState(channel);

  if (!state) return <p className="loading">Loading the conversation…</p>;
  return (
    <ChatPanel
      state={state}
      role={role}
      typists={typing.typists}
      alert={alertFor(connection)}
      feed={feed}
      suggestions={config.suggestions}
      onSend={async (text) => {
        typing.stop();
        const message = await sendMessage(conversationId, user, text);
        update((s) => withMessage(s, message));
      }}
      onKeystroke={typing.keystroke}
      onSuggestion={(suggestion) => {
        publish(ChatEvents.suggestionSelected, { suggestion, persona: role }).catch(() => {
          // Analytics is best effort: a lost pick must not get in the customer's way.
        });
      }}
    />
  );
}
