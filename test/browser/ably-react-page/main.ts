// A page using only the official `ably` client and its `ably/react` hooks, unchanged, against
// Switchboard; bundled by the browser test with Vite. Written without JSX so the test project's
// type check covers it.
import * as Ably from 'ably';
import {
  AblyProvider,
  ChannelProvider,
  useChannel,
  usePresence,
  usePresenceListener,
} from 'ably/react';
import { createElement as h, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

const CHANNEL = 'room:react';
const params = new URLSearchParams(location.search);
const clientId = params.get('clientId') ?? 'anonymous';

const client = new Ably.Realtime({
  endpoint: '127.0.0.1',
  port: Number(params.get('port')),
  tls: false,
  disableConnectivityCheck: true,
  clientId,
  // The page's own origin hands out token requests for this clientId.
  authUrl: `${location.origin}/token`,
  authParams: { clientId },
});

function Room() {
  const [messages, setMessages] = useState<string[]>([]);
  const { publish } = useChannel(CHANNEL, (m) =>
    setMessages((prev) => [...prev, `${m.clientId ?? 'server'}: ${String(m.data)}`]),
  );
  const { updateStatus } = usePresence(CHANNEL, { mood: 'hello' });
  const { presenceData } = usePresenceListener<{ mood: string }>(CHANNEL);
  const members = [...presenceData].sort((a, b) => a.clientId.localeCompare(b.clientId));
  return h(
    'main',
    null,
    h(
      'ul',
      { id: 'members' },
      members.map((p) => h('li', { key: p.clientId }, `${p.clientId} (${p.data?.mood})`)),
    ),
    h(
      'ul',
      { id: 'messages' },
      messages.map((m, i) => h('li', { key: i }, m)),
    ),
    h(
      'button',
      { id: 'send', onClick: () => void publish('greeting', `hi from ${clientId}`) },
      'Send',
    ),
    h('button', { id: 'mood', onClick: () => void updateStatus({ mood: 'happy' }) }, 'Mood'),
  );
}

createRoot(document.getElementById('root')!).render(
  h(
    StrictMode,
    null,
    h(AblyProvider, { client }, h(ChannelProvider, { channelName: CHANNEL }, h(Room))),
  ),
);
