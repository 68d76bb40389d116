import type { RealtimeMessage } from '@switchboard/kit/client';
import { useChannel, useConnectionState, useTyping } from '@switchboard/react';
import { ChatEvents, conversationChannel } from '../server/contract.js';
import {
  sendMessage,
  type ChatMessage,
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

/** The chat over Switchboard: messages, receipts and SLA warnings live, typing both ways. */
export function RealtimeChat({ conversationId, user, role, config }: Props) {
  const connection = useConnectionState();
  const live = connection === 'connected';
  // Polls only while realtime is down, and resyncs once it is back.
  const { state, update } = useConversation(conversationId, user, live, config.pollMs);
  const channel = conversationChannel(conversationId);

  useChannel(channel, [ChatEvents.customerMessage, ChatEvents.agentMessage], (m: RealtimeMessage) =>
    update((s) => withMessage(s, m.data as ChatMessage)),
  );
  useChannel(channel, ChatEvents.read, (m: RealtimeMessage) =>
    update((s) => withReceipt(s, m.data as ReadReceipt)),
  );
  const { publish } = useChannel(channel, ChatEvents.slaWarning, (m: RealtimeMessage) =>
    update((s) => withSlaWarning(s, m.data as SlaWarning)),
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
