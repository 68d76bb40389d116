/** Credentials the page sends: a key for the public REST API, the admin secret in production. */
export interface Credentials {
  key: string;
  adminSecret?: string;
}

/** The public REST API as the page calls it: secrets go in headers, never in the URL. */
export interface Api {
  /** GET a JSON resource; throws with the server's message on a non-2xx answer. */
  json<T>(path: string): Promise<T>;
  /** GET a text resource (`/metrics`). */
  text(path: string): Promise<string>;
}

function headers(creds: Credentials): Record<string, string> {
  return {
    accept: 'application/json',
    authorization: `Basic ${btoa(creds.key)}`,
    ...(creds.adminSecret ? { 'x-switchboard-admin-secret': creds.adminSecret } : {}),
  };
}

async function get(path: string, creds: Credentials): Promise<Response> {
  const res = await fetch(path, { headers: headers(creds), cache: 'no-store' });
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
    json: async <T>(path: string) => (await (await get(path, creds)).json()) as T,
    text: async (path: string) => (await get(path, creds)).text(),
  };
}
