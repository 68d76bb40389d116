import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '@switchboard/server';

/** What the host needs to serve the operator dashboard (`GET /dashboard`). */
export interface DashboardOptions {
  /** Development mode: `/dashboard/config` hands out the development app's key. */
  development: boolean;
  /** In production the page must send it (`x-switchboard-admin-secret`) to read its config. */
  adminSecret?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

// The dashboard package sits next to this one in the repository (packages/dashboard): its
// static files in `static/`, its compiled page code in `dist/`.
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../dashboard');
const ROOTS = [join(PACKAGE_DIR, 'static'), join(PACKAGE_DIR, 'dist')];

function ablyBundlePath(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('ably')), 'ably.js');
  } catch {
    return undefined;
  }
}

function sameSecret(secret: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(secret, 'utf8');
  const b = Buffer.from(given, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, type: string, body: Buffer | string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/**
 * The page's config: in development the key of the development app (`dev`), which the page
 * uses for the public REST API and the official client; in production nothing but the mode,
 * and only to a caller that sends the admin secret (the page's login check).
 */
function config(engine: Engine, options: DashboardOptions, req: IncomingMessage): [number, string] {
  if (options.development) {
    const key = engine.apps.get('dev')?.record.keys[0];
    return [
      200,
      JSON.stringify({
        development: true,
        ...(key ? { key: `${key.keyName}:${key.secret}` } : {}),
      }),
    ];
  }
  if (
    !options.adminSecret ||
    !sameSecret(options.adminSecret, req.headers['x-switchboard-admin-secret'])
  )
    return [
      401,
      JSON.stringify({
        error: { message: 'The dashboard needs the admin secret', code: 40100, statusCode: 401 },
      }),
    ];
  return [200, JSON.stringify({ development: false })];
}

/** The file a `/dashboard/…` path names, or undefined if it leaves the dashboard's roots. */
async function staticFile(rest: string): Promise<{ body: Buffer; type: string } | undefined> {
  let name: string;
  try {
    name = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (name === '' || name === '/') name = '/index.html';
  if (name === '/ably.js') {
    const path = ablyBundlePath();
    return path ? { body: await readFile(path), type: TYPES['.js']! } : undefined;
  }
  const type = TYPES[extname(name)];
  if (!type || name.includes('\0')) return undefined;
  for (const root of ROOTS) {
    const path = resolve(root, `.${name}`);
    if (!path.startsWith(root + sep)) return undefined;
    try {
      return { body: await readFile(path), type };
    } catch {
      // Not in this root: try the next.
    }
  }
  return undefined;
}

/**
 * Serves `GET /dashboard`, `/dashboard/*` and `/dashboard/config`; returns false for any other
 * path, which the engine then handles. Static files are public (they hold no data); every data
 * call the page makes goes to the public REST API with a key.
 */
export async function serveDashboard(
  engine: Engine,
  options: DashboardOptions,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/dashboard') {
    res.writeHead(308, { location: '/dashboard/' });
    res.end();
    return true;
  }
  const rest = path.slice('/dashboard'.length);
  if (rest === '/config') {
    const [status, body] = config(engine, options, req);
    send(res, status, 'application/json', body);
    return true;
  }
  const file = await staticFile(rest);
  if (file) send(res, 200, file.type, file.body);
  else send(res, 404, 'text/plain; charset=utf-8', 'Not found');
  return true;
}
