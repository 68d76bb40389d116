import { createApi, type Credentials } from './api.js';
import { createAppsPanel } from './apps-keys.js';
import { createAuditPanel } from './audit-log.js';
import { createChannelsPanel } from './channels.js';
import { byId } from './dom.js';
import { createLiveConsole } from './live-console.js';
import { createHistoryPanel } from './history.js';
import { createOverview } from './overview.js';
import { createWebhooksPanel } from './webhooks.js';

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
  // The app-scoped panels show the key's app (`appId.keyId:secret`).
  const appId = creds.key.slice(0, creds.key.indexOf('.'));
  const webhooks = createWebhooksPanel(api, appId);
  createHistoryPanel(api);
  createLiveConsole(creds.key);
  const status = byId('status');
  const apps = createAppsPanel(api);
  const audit = createAuditPanel(api, appId);
  void apps.refresh().catch((err: unknown) => (status.textContent = `apps: ${String(err)}`));
  void audit.load();
  const tick = async (): Promise<void> => {
    try {
      await Promise.all([overview.refresh(), channels.refresh(), webhooks.refresh()]);
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
