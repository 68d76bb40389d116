import { createRealtimeClient, type RealtimeProvider } from '@switchboard/kit';
import {
  RealtimeClientProvider,
  useChannel,
  useConnectionState,
  usePresence,
  usePresenceListener,
  useTyping,
} from '@switchboard/react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

function Page() {
  const state = useConnectionState();
  useChannel('room:ssr', () => undefined);
  const { members } = usePresence('room:ssr', { name: 'x' });
  usePresenceListener('room:ssr');
  useTyping('room:ssr');
  return createElement('p', null, `state=${state} members=${members.length}`);
}

/** A client whose every network operation fails the test if called. */
function mustNotConnect(inner: RealtimeProvider): { client: RealtimeProvider; calls: string[] } {
  const calls: string[] = [];
  const forbidden = ['connect', 'subscribe', 'publish', 'history', 'release'] as const;
  const client = Object.create(inner) as RealtimeProvider;
  for (const name of forbidden) {
    Object.defineProperty(client, name, { value: () => calls.push(name) });
  }
  Object.defineProperty(client, 'presence', {
    value: new Proxy(inner.presence, { get: (_t, p) => () => calls.push(`presence.${String(p)}`) }),
  });
  return { client, calls };
}

describe('@switchboard/react during server-side rendering', () => {
  it('renders every hook without connecting, subscribing or entering presence', () => {
    const { client, calls } = mustNotConnect(createRealtimeClient('memory', { clientId: 'ssr' }));
    const html = renderToString(
      createElement(RealtimeClientProvider, { client }, createElement(Page)),
    );
    expect(html).toContain('state=initialized members=0');
    expect(calls).toEqual([]);
  });

  it('an ably client built for the render opens no connection', () => {
    const client = createRealtimeClient('ably', { key: 'app.key:secret', clientId: 'ssr' });
    const html = renderToString(
      createElement(RealtimeClientProvider, { client }, createElement(Page)),
    );
    expect(html).toContain('state=initialized');
    expect(client.realtime.connection.state).toBe('initialized');
    expect(client.realtime.connection.id).toBeUndefined();
  });
});
