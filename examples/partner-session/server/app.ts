import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createNotifier,
  createTokenHandler,
  mediationCatalog,
  type TokenAuthRequest,
  type TokenGrant,
} from '@switchboard/kit/server';
import {
  ID_PATTERN,
  partnerEventData,
  presenceChannel,
  sessionChannel,
  type PageConfig,
  type SessionEvent,
} from './contract.js';
import { clientEndpoint, HttpError, readJson, sendJson, serveStatic } from './http-kit.js';
import { createSessionStore } from './sessions.js';

/** Options of the partner-session backend. */
export interface PartnerSessionAppOptions {
  /** Switchboard's base URL, e.g. `http://localhost:8080`. */
  switchboardUrl: string;
  /** An API key with publish and presence rights on `meetwithoutfear:session:*`. */
  key: string;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Sessions and their two participants (default: `demo` between alice and bob). */
  sessions?: { id: string; participants: [string, string] }[];
  /** How long an outage stays silent before "Reconnecting…" shows (default 30 s). */
  silentMs?: number;
  /** How often the page polls session state while realtime is down (default 5 s). */
  pollMs?: number;
  /** Where the Vite build is (default `dist/web` of this example). */
  webRoot?: string;
}

/** A running backend. */
export interface PartnerSessionApp {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const WEB_ROOT = resolve(fileURLToPath(import.meta.url), '../../web');
const TOKEN_TTL_MS = 60 * 60 * 1000;

function idParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    throw new HttpError(400, `${name} must match ${ID_PATTERN}`);
  return value;
}

/** Starts the backend: token endpoint, session state and actions, and the built page. */
export async function startPartnerSessionApp(
  options: PartnerSessionAppOptions,
): Promise<PartnerSessionApp> {
  const endpoint = clientEndpoint(options.switchboardUrl);
  const page: PageConfig = {
    switchboard: endpoint,
    silentMs: options.silentMs ?? 30_000,
    pollMs: options.pollMs ?? 5_000,
  };
  const webRoot = options.webRoot ?? WEB_ROOT;
  const store = createSessionStore(
    options.sessions ?? [{ id: 'demo', participants: ['alice', 'bob'] }],
  );
  const notifier = createNotifier({ endpoint: options.switchboardUrl, key: options.key });

  /** Tells the partner: live if they are in the session, else a push (the server decides). */
  async function tellPartner(sessionId: string, event: SessionEvent): Promise<void> {
    const state = store.forParticipant(sessionId, event.by);
    try {
      const result = await notifier.notify({
        channel: sessionChannel(sessionId),
        presenceChannel: presenceChannel(sessionId),
        recipientClientId: store.partnerOf(state, event.by),
        senderClientId: event.by,
        event: event.name,
        // Checked against the mediation catalog before it leaves: a typo fails here, not on a phone.
        data: mediationCatalog.session.events[event.name].parse(partnerEventData(event)),
      });
      event.delivered = result.delivered;
    } catch {
      // The step is saved either way; the partner's page picks it up from the session state.
      event.delivered = 'failed';
    }
  }

  /**
   * Who may have a token, and for what: a participant of the session, for that session's
   * channels only (the catalog's least-privilege grant: subscribe and history on the events,
   * presence on the presence channel, no publish). The `user` parameter is this demo's stand-in
   * for a login: a real app reads the user from its own session cookie or bearer token.
   */
  function authorize({ query }: TokenAuthRequest): TokenGrant {
    const userId = query.get('user') ?? '';
    const sessionId = query.get('session') ?? '';
    if (!ID_PATTERN.test(userId) || !ID_PATTERN.test(sessionId)) return null;
    const state = store.get(sessionId);
    if (!state?.participants.includes(userId)) return null;
    return { clientId: userId, capability: mediationCatalog.capabilities.participant([sessionId]) };
  }
  const tokenHandler = createTokenHandler({ key: options.key, authorize, ttlMs: TOKEN_TTL_MS });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'GET only');
      await serveStatic(webRoot, url.pathname, res);
      return;
    }
    const [, resource, id, action, arg, verb] = parts;
    if (req.method === 'GET' && resource === 'config' && !id) {
      sendJson(res, 200, page);
      return;
    }
    if (resource === 'token' && !id) {
      await tokenHandler(req, res);
      return;
    }
    if (resource === 'sessions' && id) {
      const sessionId = idParam(id, 'session');
      if (req.method === 'GET' && !action) {
        const userId = idParam(url.searchParams.get('user'), 'user');
        sendJson(res, 200, store.forParticipant(sessionId, userId));
        return;
      }
      if (req.method === 'POST') {
        const body = await readJson(req);
        const userId = idParam(body.user, 'user');
        let event: SessionEvent | undefined;
        if (action === 'compact' && !arg) event = store.signCompact(sessionId, userId);
        if (action === 'stages' && arg && verb === 'complete')
          event = store.completeStage(sessionId, userId, Number(arg));
        if (event) {
          await tellPartner(sessionId, event);
          sendJson(res, 200, store.forParticipant(sessionId, userId));
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
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
