import * as Ably from 'ably';
import { startTestServer, type TestServer, type TestServerOptions } from '@switchboard/testkit';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** Both wire formats: msgpack is the Node default, JSON is what browsers use. */
export const FORMATS = ['msgpack', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** Starts one server for the file and closes every client a test opened. */
export function useServer(options: TestServerOptions = {}): {
  server: () => TestServer;
  track: <T extends { close(): void }>(c: T) => T;
} {
  let server: TestServer | undefined;
  const clients: { close(): void }[] = [];
  beforeAll(async () => {
    server = await startTestServer(options);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    server: () => server!,
    track: (c) => {
      clients.push(c);
      return c;
    },
  };
}

/** A realtime client with the options every test needs. */
export function realtimeOptions(
  server: TestServer,
  format: Format,
  extra: Ably.ClientOptions = {},
): Ably.ClientOptions {
  return {
    ...server.clientOptions(format),
    key: server.key,
    logLevel: 0,
    ...extra,
  } as Ably.ClientOptions;
}

/** Resolves once the connection reaches `state`. */
export function connectionState(
  client: Ably.Realtime,
  state: Ably.ConnectionState,
): Promise<Ably.ConnectionStateChange | void> {
  if (client.connection.state === state) return Promise.resolve();
  return client.connection.once(state);
}

/** Collects messages from a subscription; `until(n)` resolves when n have arrived. */
export function collect<T>(): {
  items: T[];
  push: (item: T) => void;
  until: (n: number, timeoutMs?: number) => Promise<T[]>;
} {
  const items: T[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  return {
    items,
    push(item) {
      items.push(item);
      if (waiter && items.length >= waiter.n) waiter.resolve();
    },
    until(n, timeoutMs = 10_000) {
      if (items.length >= n) return Promise.resolve(items);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${items.length} of ${n}`)), timeoutMs);
        waiter = {
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(items);
          },
        };
      });
    },
  };
}

export { Ably };
