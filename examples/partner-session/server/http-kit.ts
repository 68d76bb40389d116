import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { ClientEndpoint } from './contract.js';

/** A request that the handler refuses with a status and a message (400, 403, 404, 413). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 16 * 1024;

/** Reads a JSON object body of at most 16 KiB; anything else is a 400 or 413. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Sends a JSON answer that no cache keeps (session state changes under the page). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves the Vite build from `root`: a path outside it, or a file that is not there, gets the
 * page itself (a single-page app), never a file from elsewhere on disk.
 */
export async function serveStatic(root: string, pathname: string, res: ServerResponse) {
  const wanted = normalize(join(root, decodeURIComponent(pathname)));
  const inside = wanted.startsWith(root + sep) && extname(wanted) !== '';
  const file = inside ? wanted : join(root, 'index.html');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (inside) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    throw new HttpError(500, `the page is not built: run vite build (looked in ${root})`);
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** Splits `http://host:port` into the client options that reach it. */
export function clientEndpoint(switchboardUrl: string): ClientEndpoint {
  const url = new URL(switchboardUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`SWITCHBOARD_URL must be http(s): ${switchboardUrl}`);
  const tls = url.protocol === 'https:';
  return { endpoint: url.hostname, port: Number(url.port || (tls ? 443 : 80)), tls };
}

/**
 * The key to use: SWITCHBOARD_KEY, or else the development key a Switchboard in development
 * mode hands out at `/dashboard/config` (so `npm start` plus one command is enough locally).
 */
export async function resolveKey(switchboardUrl: string, given: string | undefined) {
  if (given) return given;
  const res = await fetch(new URL('/dashboard/config', switchboardUrl)).catch(() => undefined);
  const body = res?.ok ? ((await res.json()) as { development?: boolean; key?: string }) : {};
  if (body.development && body.key) return body.key;
  throw new Error(
    `SWITCHBOARD_KEY is not set and ${switchboardUrl} hands out no development key: ` +
      'set SWITCHBOARD_KEY to a key with rights on the example’s channels',
  );
}
