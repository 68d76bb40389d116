import { createRealtimeClient } from '@switchboard/kit/client';
import { RealtimeClientProvider } from '@switchboard/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadConfig } from './api.js';
import { App } from './App.js';
import './styles.css';

const params = new URLSearchParams(location.search);
const sessionId = params.get('session') ?? 'demo';
const user = params.get('user') ?? 'alice';
const root = createRoot(document.getElementById('root')!);

const config = await loadConfig();
// One client for the page's lifetime: the provider component never creates or closes it.
const client = createRealtimeClient('ably', {
  ...config.switchboard,
  tlsPort: config.switchboard.port,
  // Ably's connectivity check asks Ably's own hosts, which a self-hosted deployment need not reach.
  disableConnectivityCheck: true,
  authCallback: (_params, callback) => {
    const query = new URLSearchParams({ session: sessionId, user });
    fetch(`/api/token?${query}`)
      .then(async (res) => {
        if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
        callback(null, await res.json());
      })
      .catch((err: unknown) => callback(String(err), null));
  },
});
client.connect().catch(() => {
  // The banner reports a failed connection; nothing else to do here.
});

root.render(
  <StrictMode>
    <RealtimeClientProvider client={client}>
      <App sessionId={sessionId} user={user} config={config} />
    </RealtimeClientProvider>
  </StrictMode>,
);
