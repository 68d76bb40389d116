import { useRef, useState, type FormEvent } from 'react';
import type { ChatMessage, ConversationState, Role } from './api.js';

/** What a chat view hands the panel: the conversation and what the user can do in it. */
export interface ChatPanelProps {
  state: ConversationState;
  role: Role;
  /** clientIds of the others typing now. */
  typists: string[];
  /** A reconnection notice to announce, or null. */
  alert: string | null;
  /** How updates arrive: the channel's state, or `polling`. */
  feed: string;
  suggestions: string[];
  onSend(text: string): Promise<void>;
  onKeystroke(): void;
  onSuggestion(suggestion: string): void;
}

/** A threshold in words: seconds under a minute, else minutes. */
const duration = (ms: number) =>
  ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 6_000) / 10} min`;

const name = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

/** The index of the newest of `messages` the other side has read (-1: none). */
function readUpTo(messages: ChatMessage[], state: ConversationState, other: Role): number {
  const receipt = state.reads[other];
  return receipt ? messages.findIndex((m) => m.id === receipt.messageId) : -1;
}

/** The conversation as either side sees it; the same for the realtime and the polling page. */
export function ChatPanel(props: ChatPanelProps) {
  const { state, role } = props;
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const other: Role = role === 'customer' ? 'agent' : 'customer';
  const otherName = name(role === 'customer' ? state.agent : state.customer);
  const readIndex = readUpTo(state.messages, state, other);
  // The receipt goes under the newest of my messages the other side has read.
  const lastReadMine = state.messages.reduce(
    (last, m, i) => (m.role === role && i <= readIndex ? i : last),
    -1,
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    props.onSend(text).then(
      () => {
        setDraft('');
        setError(null);
      },
      (err: unknown) => setError(String(err)),
    );
  };

  return (
    <main className={`chat chat-${role}`} data-feed={props.feed}>
      {props.alert && (
        <div className="banner reconnect" role="alert" aria-live="assertive">
          {props.alert}
        </div>
      )}
      <header>
        <h1>{role === 'customer' ? 'Support' : `Conversation with ${otherName}`}</h1>
        <p>
          {role === 'customer' ? `You are talking to ${otherName}` : `Agent: ${name(state.agent)}`}
        </p>
      </header>
      {state.slaWarning && (
        <div className="banner sla" role="status" data-sla="warning">
          {role === 'agent'
            ? `SLA warning: ${otherName} has waited more than ${duration(state.slaWarning.thresholdMs)} for an answer`
            : 'Thanks for waiting: an agent will be with you shortly.'}
        </div>
      )}
      <div className="messages" role="log" aria-live="polite" aria-atomic="false">
        {state.messages.map((m, i) => (
          <div
            key={m.id}
            className={`message ${m.role === role ? 'mine' : 'theirs'}`}
            role="article"
            aria-label={`Message from ${name(m.author)}`}
            data-message-id={m.id}
          >
            <p>{m.text}</p>
            {i === lastReadMine && (
              <span className="receipt" data-read="yes">
                Read
              </span>
            )}
          </div>
        ))}
      </div>
      <p className="typing" role="status" data-typing={props.typists.length > 0 ? 'yes' : 'no'}>
        {props.typists.length > 0 ? `${props.typists.map(name).join(', ')} is typing…` : ''}
      </p>
      {role === 'customer' && props.suggestions.length > 0 && (
        <div className="chips" aria-label="Quick replies">
          {props.suggestions.map((s) => (
            <button
              key={s}
              type="button"
              className="chip"
              onClick={() => {
                setDraft(s);
                props.onSuggestion(s);
                // Back to the box, caret at the end, ready to add to the reply.
                requestAnimationFrame(() => {
                  input.current?.focus();
                  input.current?.setSelectionRange(s.length, s.length);
                });
              }}
            >
              {s}
            </button>
          ))}
        </div>
      )}
      <form onSubmit={submit}>
        <label htmlFor="draft" className="visually-hidden">
          Message
        </label>
        <input
          ref={input}
          id="draft"
          value={draft}
          autoComplete="off"
          placeholder="Write a message"
          onChange={(e) => {
            setDraft(e.target.value);
            props.onKeystroke();
          }}
        />
        <button type="submit" aria-label="Send message">
          Send
        </button>
      </form>
      {error && <p role="alert">{error}</p>}
    </main>
  );
}
