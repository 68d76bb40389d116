import type * as AblyModule from 'ably';
import { byId } from './dom.js';

type AblyGlobal = typeof AblyModule;

/** The live console: watch one channel with the official client and publish to it. */
export interface LiveConsole {
  close(): void;
}

function logLine(text: string): void {
  const li = document.createElement('li');
  li.textContent = text;
  const log = byId('console-log');
  log.prepend(li);
  while (log.children.length > 200) log.lastElementChild?.remove();
}

/**
 * Connects `Ably.Realtime` (loaded by `ably.js`) to this server with the key, subscribes to the
 * watched channel and publishes what the form says. Connection states show in the header.
 */
export function createLiveConsole(key: string): LiveConsole {
  const Ably = (window as unknown as { Ably: AblyGlobal }).Ably;
  const realtime = new Ably.Realtime({
    key,
    endpoint: location.hostname,
    ...(location.port ? { port: Number(location.port) } : {}),
    tls: false,
    disableConnectivityCheck: true,
    clientId: 'dashboard',
  });
  const status = byId('status');
  realtime.connection.on((change) => (status.textContent = `console: ${change.current}`));
  let watched: AblyModule.RealtimeChannel | undefined;
  const watch = (): void => {
    const name = byId<HTMLInputElement>('console-channel').value.trim();
    if (!name || watched?.name === name) return;
    if (watched) void watched.detach();
    watched = realtime.channels.get(name);
    void watched.subscribe((m) => logLine(`${name} ${m.name ?? ''}: ${JSON.stringify(m.data)}`));
    logLine(`watching ${name}`);
  };
  byId('console-watch').addEventListener('click', watch);
  byId<HTMLFormElement>('console').addEventListener('submit', (ev) => {
    ev.preventDefault();
    watch();
    const event = byId<HTMLInputElement>('console-event').value;
    const data = byId<HTMLInputElement>('console-data').value;
    watched
      ?.publish(event, data)
      .catch((err: unknown) => logLine(`publish failed: ${String(err)}`));
  });
  watch();
  return { close: () => realtime.close() };
}
