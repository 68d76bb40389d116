import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chatCatalog,
  createTokenHandler,
  type TokenAuthRequest,
  type TokenGrant,
} from '@switchboard/kit/server';
import * as Ably from 'ably';
import {
  ChatEvents,
  conversationChannel,
  ID_PATTERN,
  type ChatMessage,
  type ConversationState,
  type PageConfig,
  type SlaWarning,
} from './contract.js';
import { createConversationStore } from './conversations.js';
import { clientEndpoint, HttpError, readJson, sendJson, serveStatic } from './http-kit.js';

/** Options of the chat backend. */
export interface ChatAppOptions {
  /** Switchboard's base URL, e.g. `http://localhost:8080`. */
  switchboardUrl: string;
  /** An API key with publish rights on `conversation:*`. */
  key: string;
  /** false (ENABLE_REALTIME=false): no tokens, no publishing; the page polls. Default true. */
  realtime?: boolean;
  port?: number;
  host?: string;
  /** Conversations, each between a customer and an agent (default: `demo`, dana and sam). */
  conversations?: { id: string; customer: string; agent: string }[];
  /** How long a customer message may wait for an agent's answer before sla:warning (default 60 s). */
  slaWarningMs?: number;
  /** Polling period of the page when realtime is off (default 2 s). */
  pollMs?: number;
  /** Quiet time after the last keystroke before typing:stop (default 2 s). */
  typingIdleMs?: number;
  /** Where the Vite build is (default `dist/web` of this example). */
  webRoot?: string;
}

/** A running backend. */
export interface ChatApp {
  readonly port: number;
  readonly url: string;
  /** Quick-reply picks reported over HTTP (the polling page's analytics path). */
  readonly analytics: readonly { user: string; suggestion: string }[];
  close(): Promise<void>;
}

const WEB_ROOT = resolve(fileURLToPath(import.meta.url), '../../web');
const TOKEN_TTL_MS = 60 * 60 * 1000;
const SUGGESTIONS = ['Where is my order?', 'I need to change my address', 'Thanks, that helps!'];

/** The payload of a message on the channel, as the chat catalog defines it. */
function messagePayload(message: ChatMessage): Record<string, unknown> {
  const base = { messageId: message.id, content: message.text, timestamp: Date.parse(message.at) };
  return message.role === 'customer' ? base : { ...base, persona: message.author };
}

function idParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    throw new HttpError(400, `${name} must match ${ID_PATTERN}`);
  return value;
}

/** Starts the backend: token endpoint, conversation state, messages, receipts, SLA clock, page. */
export async function startChatApp(options: ChatAppOptions): Promise<ChatApp> {
  const endpoint = clientEndpoint(options.switchboardUrl);
  const realtime = options.realtime ?? true;
  const page: PageConfig = {
    switchboard: endpoint,
    realtime,
    pollMs: options.pollMs ?? 2000,
    typingIdleMs: options.typingIdleMs ?? 2000,
    suggestions: SUGGESTIONS,
  };
  const slaWarningMs = options.slaWarningMs ?? 60_000;
  const webRoot = options.webRoot ?? WEB_ROOT;
  const store = createConversationStore(
    options.conversations ?? [{ id: 'demo', customer: 'dana', agent: 'sam' }],
  );
  const rest = new Ably.Rest({ key: options.key, ...endpoint, tlsPort: endpoint.port });
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const analytics: { user: string; suggestion: string }[] = [];

  /**
   * Publishes on the conversation as `clientId` when realtime is on (the state has it either
   * way), checked against the chat catalog first: a malformed event fails here, not in a page.
   */
  async function publish(
    conversationId: string,
    name: keyof typeof chatCatalog.conversation.events,
    data: unknown,
    clientId: string,
  ) {
    if (!realtime) return;
    const checked = chatCatalog.conversation.events[name].parse(data);
    await rest.channels
      .get(conversationChannel(conversationId))
      .publish({ name, data: checked, clientId });
  }

  /**
   * Who may have a token, and for what: the customer or the agent of the conversation, for that
   * conversation only (the catalog's grants). The `user` parameter is this demo's stand-in for a
   * login: a real app reads the user from its own session cookie or bearer token.
   */
  function authorize({ query }: TokenAuthRequest): TokenGrant {
    const userId = query.get('user') ?? '';
    const conversationId = query.get('conversation') ?? '';
    if (!ID_PATTERN.test(userId) || !ID_PATTERN.test(conversationId)) return null;
    let state: ConversationState;
    try {
      state = store.forUser(conversationId, userId).state;
    } catch {
      return null;
    }
    const capability =
      state.customer === userId
        ? chatCatalog.capabilities.customer(conversationId)
        : chatCatalog.capabilities.agent([conversationId]);
    return { clientId: userId, capability };
  }
  const tokenHandler = createTokenHandler({ key: options.key, authorize, ttlMs: TOKEN_TTL_MS });

  /** Starts the SLA clock of a customer message: unanswered after slaWarningMs, warn both sides. */
  function watchSla(conversationId: string, message: ChatMessage, userId: string): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const { state } = store.forUser(conversationId, userId);
      const answered = state.messages
        .slice(state.messages.findIndex((m) => m.id === message.id))
        .some((m) => m.role === 'agent');
      if (answered) return;
      const warning: SlaWarning = {
        messageId: message.id,
        thresholdMs: slaWarningMs,
        waitedMs: Date.now() - Date.parse(message.at),
        severity: 'warning',
      };
      state.slaWarning = warning;
      const payload = { threshold: slaWarningMs, actual: warning.waitedMs, severity: 'warning' };
      publish(conversationId, ChatEvents.slaWarning, payload, 'sla-monitor').catch(() => {
        // The polling path still shows it; nothing to retry for a warning.
      });
    }, slaWarningMs);
    timers.add(timer);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'GET only');
      await serveStatic(webRoot, url.pathname, res);
      return;
    }
    const [, resource, id, action] = parts;
    if (req.method === 'GET' && resource === 'config' && !id) {
      sendJson(res, 200, page);
      return;
    }
    if (resource === 'token' && !id) {
      if (!realtime) throw new HttpError(404, 'realtime is off (ENABLE_REALTIME=false)');
      await tokenHandler(req, res);
      return;
    }
    if (resource === 'conversations' && id) {
      const conversationId = idParam(id, 'conversation');
      if (req.method === 'GET' && !action) {
        const userId = idParam(url.searchParams.get('user'), 'user');
        sendJson(res, 200, store.forUser(conversationId, userId).state);
        return;
      }
      if (req.method === 'POST') {
        const body = await readJson(req);
        const userId = idParam(body.user, 'user');
        if (action === 'messages') {
          const message = store.addMessage(conversationId, userId, body.text);
          const name =
            message.role === 'customer' ? ChatEvents.customerMessage : ChatEvents.agentMessage;
          await publish(conversationId, name, messagePayload(message), userId);
          if (message.role === 'customer') watchSla(conversationId, message, userId);
          sendJson(res, 200, message);
          return;
        }
        if (action === 'read') {
          const receipt = store.markRead(conversationId, userId, body.messageId);
          const payload = { messageId: receipt.messageId, readAt: Date.parse(receipt.readAt) };
          await publish(conversationId, ChatEvents.read, payload, userId);
          sendJson(res, 200, receipt);
          return;
        }
        if (action === 'analytics') {
          store.forUser(conversationId, userId);
          if (typeof body.suggestion !== 'string' || !SUGGESTIONS.includes(body.suggestion))
            throw new HttpError(400, 'suggestion must be one of the offered quick replies');
          analytics.push({ user: userId, suggestion: body.suggestion });
          sendJson(res, 200, { recorded: true });
          return;
        }
      }
    }
    throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.destroy();
    });
  });
  await new Promise<void>((done) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', done),
  );
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    analytics,
    close: () =>
      new Promise<void>((done) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
