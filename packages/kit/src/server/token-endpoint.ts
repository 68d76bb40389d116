import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Capability } from '../catalog/capability.js';
import { createTokenRequest, parseKey } from './token-request.js';

/** The parts of a token request an app's `authorize` looks at, whatever framework carried it. */
export interface TokenAuthRequest {
  method: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: URLSearchParams;
  /** The parsed body (JSON or form), or undefined. */
  body: unknown;
}

/** Who the caller is and what they may do; null refuses the request (401). */
export type TokenGrant = { clientId: string; capability: Capability; ttlMs?: number } | null;

/** Options of the token endpoint handlers. */
export interface TokenEndpointOptions {
  /** An API key `appId.keyId:secret`. */
  key: string;
  /**
   * Decides from the request (session cookie, bearer token) who is asking and the channels they
   * may use: keep the capability to that user's channels (e.g. `mediationCatalog.capabilities`).
   */
  authorize(request: TokenAuthRequest): TokenGrant | Promise<TokenGrant>;
  /** Default token lifetime (ms, default one hour). */
  ttlMs?: number;
  /** Largest body read (bytes, default 16 KiB). */
  maxBodyBytes?: number;
  /** Called with an error `authorize` threw (answered 500). */
  onError?(err: unknown): void;
}

/** A response in plain terms, turned into each framework's response by its adapter. */
interface Reply {
  status: number;
  body: unknown;
}

const errorBody = (message: string, code: number, statusCode: number) => ({
  error: { message, code, statusCode },
});

async function answer(options: TokenEndpointOptions, req: TokenAuthRequest): Promise<Reply> {
  if (req.method !== 'GET' && req.method !== 'POST') {
    return { status: 405, body: errorBody('Use GET or POST', 40500, 405) };
  }
  let grant: TokenGrant;
  try {
    grant = await options.authorize(req);
  } catch (err) {
    options.onError?.(err);
    return { status: 500, body: errorBody('Token authorization failed', 50000, 500) };
  }
  if (!grant) return { status: 401, body: errorBody('Not authorized for a token', 40100, 401) };
  return {
    status: 200,
    body: createTokenRequest({
      key: options.key,
      clientId: grant.clientId,
      capability: grant.capability,
      ttlMs: grant.ttlMs ?? options.ttlMs ?? 3_600_000,
    }),
  };
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function lowerHeaders(headers: IncomingMessage['headers']): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]),
  );
}

function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function checkOptions(options: TokenEndpointOptions): void {
  parseKey(options.key);
  if (typeof options.authorize !== 'function') throw new TypeError('authorize must be a function');
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** A `node:http` request handler answering with a TokenRequest (for `authUrl`). */
export function createTokenHandler(
  options: TokenEndpointOptions,
): (
  req: IncomingMessage & { body?: unknown; query?: unknown },
  res: ServerResponse,
) => Promise<void> {
  checkOptions(options);
  const limit = options.maxBodyBytes ?? 16_384;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = lowerHeaders(req.headers);
    let body: unknown = req.body;
    if (body === undefined && req.method === 'POST') {
      const text = await readBody(req, limit);
      if (text === null) {
        res
          .writeHead(413, JSON_HEADERS)
          .end(JSON.stringify(errorBody('Body too large', 41300, 413)));
        return;
      }
      body = parseBody(text, headers['content-type']);
    }
    const reply = await answer(options, {
      method: req.method ?? 'GET',
      headers,
      query: url.searchParams,
      body,
    });
    res.writeHead(reply.status, JSON_HEADERS).end(JSON.stringify(reply.body));
  };
}

/** The response half of Express that the Express-style handler uses. */
export interface ExpressLikeResponse {
  status(code: number): ExpressLikeResponse;
  set(field: Record<string, string>): ExpressLikeResponse;
  json(body: unknown): unknown;
}

/** The request half of Express that the Express-style handler uses (body from a body parser, if any). */
export interface ExpressLikeRequest {
  method: string;
  headers: IncomingMessage['headers'];
  query?: Record<string, unknown>;
  body?: unknown;
  originalUrl?: string;
  url?: string;
}

/** An Express-style `(req, res)` handler: reads `req.body` and `req.query`, answers with `res.status().json()`. */
export function createExpressTokenHandler(
  options: TokenEndpointOptions,
): (req: ExpressLikeRequest, res: ExpressLikeResponse) => Promise<void> {
  checkOptions(options);
  return async (req, res) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (typeof v === 'string') query.set(k, v);
    const reply = await answer(options, {
      method: req.method,
      headers: lowerHeaders(req.headers),
      query,
      body: req.body,
    });
    res.status(reply.status).set(JSON_HEADERS).json(reply.body);
  };
}

/** A Next.js route handler (`export const GET = route; export const POST = route;`): `Request` in, `Response` out. */
export function createTokenRoute(
  options: TokenEndpointOptions,
): (request: Request) => Promise<Response> {
  checkOptions(options);
  const limit = options.maxBodyBytes ?? 16_384;
  return async (request) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    let body: unknown;
    if (request.method === 'POST') {
      const text = await request.text();
      if (text.length > limit) {
        return new Response(JSON.stringify(errorBody('Body too large', 41300, 413)), {
          status: 413,
          headers: JSON_HEADERS,
        });
      }
      body = parseBody(text, headers['content-type']);
    }
    const reply = await answer(options, {
      method: request.method,
      headers,
      query: new URL(request.url).searchParams,
      body,
    });
    return new Response(JSON.stringify(reply.body), {
      status: reply.status,
      headers: JSON_HEADERS,
    });
  };
}
