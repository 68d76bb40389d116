import type { Api } from './api.js';
import { button, byId, messageRow, row, tbody } from './dom.js';
import { clientSnippet, type SnippetAuth } from './snippet.js';

interface KeyDescription {
  keyName: string;
  keyStr: string;
  capability: string;
}

interface AppDescription {
  appId: string;
  keys: KeyDescription[];
}

/** The apps and keys panel: `GET /apps`, `POST /apps/{id}/keys`, `DELETE /apps/{id}/keys/{k}`. */
export interface AppsPanel {
  refresh(): Promise<void>;
}

function say(text: string): void {
  byId('keys-message').textContent = text;
}

function snippetFor(key: KeyDescription): string {
  const kind = byId<HTMLSelectElement>('snippet-kind').value;
  const auth: SnippetAuth =
    kind === 'token'
      ? { kind: 'token', authUrl: '/api/ably-token' }
      : { kind: 'key', key: key.keyStr };
  return clientSnippet(
    { hostname: location.hostname, port: location.port, secure: location.protocol === 'https:' },
    auth,
  );
}

/** Fills the snippet box (hidden until the first snippet) for the key. */
function showSnippet(key: KeyDescription): HTMLTextAreaElement {
  const box = byId<HTMLTextAreaElement>('snippet');
  box.value = snippetFor(key);
  box.dataset.key = key.keyName;
  byId('snippet-label').hidden = false;
  return box;
}

/**
 * Shows the snippet and copies it. The clipboard API needs a secure context (https or
 * localhost); elsewhere the text stays selected in the box for the operator to copy.
 */
async function copySnippet(key: KeyDescription): Promise<void> {
  const box = showSnippet(key);
  try {
    await navigator.clipboard.writeText(box.value);
    say(`Copied a client snippet for ${key.keyName}.`);
  } catch {
    box.select();
    say(`The browser refused the clipboard: the snippet for ${key.keyName} is selected below.`);
  }
}

/** Binds the apps and keys panel of index.html; it reloads after each change, not on a timer. */
export function createAppsPanel(api: Api): AppsPanel {
  let shown: KeyDescription | undefined;
  const refresh = async (): Promise<void> => {
    const apps = await api.json<AppDescription[]>('/apps');
    const select = byId<HTMLSelectElement>('key-app');
    const chosen = select.value;
    select.replaceChildren(
      ...apps.map((a) => Object.assign(document.createElement('option'), { textContent: a.appId })),
    );
    if (apps.some((a) => a.appId === chosen)) select.value = chosen;
    const rows = apps.flatMap((app) =>
      app.keys.map((key) => {
        const tr = row([app.appId, key.keyName, key.capability, actions(app.appId, key)]);
        tr.dataset.key = key.keyName;
        return tr;
      }),
    );
    tbody('keys').replaceChildren(...(rows.length ? rows : [messageRow('No apps', 4)]));
  };

  const actions = (appId: string, key: KeyDescription): HTMLElement => {
    const span = document.createElement('span');
    span.className = 'actions';
    span.append(
      button(
        'Copy snippet',
        () => void copySnippet((shown = key)),
        `Copy a client snippet for ${key.keyName}`,
      ),
      button('Revoke', () => void revoke(appId, key.keyName), `Revoke key ${key.keyName}`),
    );
    return span;
  };

  const revoke = async (appId: string, keyName: string): Promise<void> => {
    if (!confirm(`Revoke ${keyName}? Its clients are disconnected and its tokens refused.`)) return;
    try {
      await api.send(
        'DELETE',
        `/apps/${encodeURIComponent(appId)}/keys/${encodeURIComponent(keyName)}`,
      );
      say(`Revoked ${keyName}.`);
    } catch (err) {
      say(`Revoking ${keyName} failed: ${String(err)}`);
    }
    // Revoking the page's own key makes this fail too: say so rather than reject unseen.
    await refresh().catch((err: unknown) => say(`Reloading the keys failed: ${String(err)}`));
  };

  byId<HTMLFormElement>('key-create').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const appId = byId<HTMLSelectElement>('key-app').value;
    const text = byId<HTMLInputElement>('key-capability').value.trim();
    let capability: unknown;
    try {
      capability = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      say('The capability is not JSON, e.g. {"chat:*":["subscribe","publish"]}.');
      return;
    }
    void api
      .send<KeyDescription>('POST', `/apps/${encodeURIComponent(appId)}/keys`, {
        ...(capability === undefined ? {} : { capability }),
      })
      .then(async (key) => {
        await refresh();
        if (!key) return;
        await copySnippet((shown = key));
        say(`Created ${key.keyName}. ${byId('keys-message').textContent ?? ''}`);
      })
      .catch((err: unknown) => say(`Creating the key failed: ${String(err)}`));
  });
  // Switching between key and authUrl redraws the snippet shown (copy it again to take it).
  byId('snippet-kind').addEventListener('change', () => {
    if (shown) showSnippet(shown);
  });
  byId('keys-reload').addEventListener(
    'click',
    () => void refresh().catch((e: unknown) => say(String(e))),
  );
  return { refresh };
}
