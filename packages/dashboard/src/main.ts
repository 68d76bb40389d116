import { createApi, type Credentials } from './api.js';
import { createChannelsPanel } from './channels.js';
import { byId } from './dom.js';
import { createLiveConsole } from './live-console.js';
import { createOverview } from './overview.js';

const REFRESH_MS = 2000;

interface DashboardConfig {
  development: boolean;
  key?: string;
}

async function fetchConfig(adminSecret?: string): Promise<Response> {
  return fetch('config', {
    headers: adminSecret ? { 'x-switchboard-admin-secret': adminSecret } : {},
    cache: 'no-store',
  });
}

/** Shows the panels and refreshes them every 2 s with the given credentials. */
function open(creds: Credentials): void {
  byId('login').hidden = true;
  byId('panels').hidden = false;
  const api = createApi(creds);
  const overview = createOverview(api);
  const channels = createChannelsPanel(api);
  createLiveConsole(creds.key);
  const status = byId('status');
  const tick = async (): Promise<void> => {
    try {
      await Promise.all([overview.refresh(), channels.refresh()]);
      document.body.dataset.refreshed = String(Date.now());
    } catch (err) {
      status.textContent = `refresh failed: ${String(err)}`;
    }
    setTimeout(() => void tick(), REFRESH_MS);
  };
  void tick();
}

/** Production: ask for the admin secret (checked by `/dashboard/config`) and an API key. */
function login(): void {
  const form = byId<HTMLFormElement>('login');
  form.hidden = false;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const adminSecret = byId<HTMLInputElement>('login-secret').value;
    const key = byId<HTMLInputElement>('login-key').value.trim();
    void fetchConfig(adminSecret).then((res) => {
      if (!res.ok) byId('login-error').textContent = 'The admin secret was refused.';
      else if (!key.includes(':')) byId('login-error').textContent = 'Give a key (name:secret).';
      else open({ key, adminSecret });
    });
  });
}

async function boot(): Promise<void> {
  const res = await fetchConfig();
  const config = res.ok ? ((await res.json()) as DashboardConfig) : undefined;
  byId('mode').textContent = config?.development ? 'development' : 'production';
  if (config?.development && config.key) open({ key: config.key });
  else login();
}

void boot();
