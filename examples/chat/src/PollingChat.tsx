import { reportSuggestion, sendMessage, type PageConfig, type Role } from './api.js';
import { ChatPanel } from './ChatPanel.js';
import { withMessage } from './conversation-state.js';
import { useConversation } from './use-conversation.js';
import { useMarkRead } from './use-mark-read.js';

interface Props {
  conversationId: string;
  user: string;
  role: Role;
  config: PageConfig;
}

/**
 * The chat with realtime switched off (ENABLE_REALTIME=false): the same panel, fed by polling.
 * No typing indicator: keystrokes are not worth a request each.
 */
export function PollingChat({ conversationId, user, role, config }: Props) {
  const { state, failing, update } = useConversation(conversationId, user, false, config.pollMs);
  useMarkRead(state, role, conversationId, user);
  if (!state) return <p className="loading">Loading the conversation…</p>;
  return (
    <ChatPanel
      state={state}
      role={role}
      typists={[]}
      alert={failing ? 'Connection lost. Retrying…' : null}
      feed="polling"
      suggestions={config.suggestions}
      onSend={async (text) => {
        const message = await sendMessage(conversationId, user, text);
        update((s) => withMessage(s, message));
      }}
      onKeystroke={() => {}}
      onSuggestion={(suggestion) => {
        reportSuggestion(conversationId, user, suggestion).catch(() => {});
      }}
    />
  );
}
