import { nextLink, type Page } from './paging.js';

/** Credentials the page sends: a key for the public REST API, the admin secret in production. */
export interface Credentials {
  key: string;
  adminSecret?: string;
}

/** The REST API as the page calls it: secrets go in headers, never in the URL. */
export interface Api {
  /** GET a JSON resource; throws with the server's message on a non-2xx answer. */
  json<T>(path: string): Promise<T>;
  /** GET a text resource (`/metrics`). */
  text(path: string): Promise<string>;
  /** GET one page of a paged JSON list and the path of the next page (Link `rel="next"`). */
  page<T>(path: string): Promise<Page<T>>;
  /** POST or DELETE with an optional JSON body; the answer's JSON, or undefined for 204. */
  send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T | undefined>;
}

function headers(creds: Credentials): Record<string, string> {
  return {
    accept: 'application/json',
    authorization: `Basic ${btoa(creds.key)}`,
    ...(creds.adminSecret ? { 'x-switchboard-admin-secret': creds.adminSecret } : {}),
  };
}

async function call(path: string, creds: Credentials, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, {
    ...init,
    headers: { ...headers(creds), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    cache: 'no-store',
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as
      { error?: { message?: string } } | undefined;
    throw new Error(body?.error?.message ?? `${path}: HTTP ${res.status}`);
  }
  return res;
}

/** An API bound to one set of credentials. */
export function createApi(creds: Credentials): Api {
  return {
    json: async <T>(path: string) => (await (await call(path, creds)).json()) as T,
    text: async (path: string) => (await call(path, creds)).text(),
    async page<T>(path: string) {
      const res = await call(path, creds);
      const items = (await res.json()) as T[];
      const next = nextLink(res.headers.get('link'), path);
      return next ? { items, next } : { items };
    },
    async send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown) {
      const res = await call(path, creds, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return res.status === 204 ? undefined : ((await res.json()) as T);
    },
  };
}
