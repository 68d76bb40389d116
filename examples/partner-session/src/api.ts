import type { PageConfig, SessionState } from '../server/contract.js';

export type { PageConfig, SessionEvent, SessionState } from '../server/contract.js';

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

/** Where Switchboard is and how the banner behaves, from this page's backend. */
export const loadConfig = () => fetch('/api/config').then((r) => json<PageConfig>(r));

/** The saved session state: the truth the page falls back to when realtime is down. */
export const loadSession = (sessionId: string, user: string) =>
  fetch(`/api/sessions/${encodeURIComponent(sessionId)}?user=${encodeURIComponent(user)}`).then(
    (r) => json<SessionState>(r),
  );

/** Performs a step (sign the compact, complete a stage); answers the new state. */
export const act = (sessionId: string, user: string, path: string) =>
  fetch(`/api/sessions/${encodeURIComponent(sessionId)}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  }).then((r) => json<SessionState>(r));
