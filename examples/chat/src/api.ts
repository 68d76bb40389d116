import type {
  ChatMessage,
  ConversationState,
  PageConfig,
  ReadReceipt,
} from '../server/contract.js';

export type {
  ChatMessage,
  ConversationState,
  PageConfig,
  ReadReceipt,
  Role,
  SlaWarning,
} from '../server/contract.js';

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const post = <T>(path: string, body: object) =>
  fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => json<T>(r));

/** Where Switchboard is, whether realtime is on, and the quick replies. */
export const loadConfig = () => fetch('/api/config').then((r) => json<PageConfig>(r));

/** The whole conversation: the first paint, the polling path, and the resync after an outage. */
export const loadConversation = (id: string, user: string) =>
  fetch(`/api/conversations/${encodeURIComponent(id)}?user=${encodeURIComponent(user)}`).then((r) =>
    json<ConversationState>(r),
  );

export const sendMessage = (id: string, user: string, text: string) =>
  post<ChatMessage>(`/api/conversations/${encodeURIComponent(id)}/messages`, { user, text });

export const markRead = (id: string, user: string, messageId: string) =>
  post<ReadReceipt>(`/api/conversations/${encodeURIComponent(id)}/read`, { user, messageId });

/** The quick-reply analytics event when realtime is off. */
export const reportSuggestion = (id: string, user: string, suggestion: string) =>
  post<unknown>(`/api/conversations/${encodeURIComponent(id)}/analytics`, { user, suggestion });
