import { createRealtimeClient } from '@switchboard/kit/client';
import { RealtimeClientProvider } from '@switchboard/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadConfig, loadConversation } from './api.js';
import { PollingChat } from './PollingChat.js';
import { RealtimeChat } from './RealtimeChat.js';
import './styles.css';

const params = new URLSearchParams(location.search);
const conversationId = params.get('conversation') ?? 'demo';
const user = params.get('user') ?? 'dana';
const root = createRoot(document.getElementById('root')!);

const config = await loadConfig();
const first = await loadConversation(conversationId, user);
const role = first.customer === user ? 'customer' : 'agent';
const props = { conversationId, user, role, config } as const;

if (!config.realtime) {
  root.render(
    <StrictMode>
      <PollingChat {...props} />
    </StrictMode>,
  );
} else {
  // One client for the page's lifetime: the provider component never creates or closes it.
  const client = createRealtimeClient('ably', {
    ...config.switchboard,
    tlsPort: config.switchboard.port,
    // Ably's connectivity check asks Ably's own hosts, which a self-hosted deployment need not reach.
    disableConnectivityCheck: true,
    // This page's own typing events are not news to it.
    echoMessages: false,
    authCallback: (_params, callback) => {
      const query = new URLSearchParams({ conversation: conversationId, user });
      fetch(`/api/token?${query}`)
        .then(async (res) => {
          if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
          callback(null, await res.json());
        })
        .catch((err: unknown) => callback(String(err), null));
    },
  });
  client.connect().catch(() => {
    // The reconnection alert reports it.
  });
  root.render(
    <StrictMode>
      <RealtimeClientProvider client={client}>
        <RealtimeChat {...props} />
      </RealtimeClientProvider>
    </StrictMode>,
  );
}
