import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSwitchboard, type Switchboard } from '@switchboard/server-node';
import type {
  Clock,
  Limits,
  Logger,
  NotificationCatalog,
  PushSender,
  Store,
} from '@switchboard/server';

/** A key of a test app, in the shapes tests need. */
export interface TestKey {
  keyName: string;
  secret: string;
  keyStr: string;
}

/** A real Switchboard on an ephemeral port with one app, for end-to-end tests. */
export interface TestServer {
  readonly port: number;
  readonly switchboard: Switchboard;
  readonly appId: string;
  readonly keys: TestKey[];
  /** The first key, full access unless the test asked otherwise. */
  readonly key: string;
  /**
   * Stops the server and starts a new one over the same data directory (needs `sqlite: true`, so
   * the app and its keys survive); `port` and `switchboard` then name the new one.
   */
  restart(): Promise<void>;
  /** Options every ably client needs to reach this server. */
  clientOptions(format?: 'msgpack' | 'json'): {
    endpoint: string;
    port: number;
    tls: boolean;
    useBinaryProtocol: boolean;
    disableConnectivityCheck: boolean;
  };
  close(): Promise<void>;
}

/** Options for a test server. */
export interface TestServerOptions {
  /** Keys: a capability each (`undefined` = full access), or a spec with `revocableTokens`. */
  keys?: (
    | string
    | Record<string, string[]>
    | { capability?: Record<string, string[]>; revocableTokens: boolean }
    | undefined
  )[];
  namespaces?: {
    id: string;
    persisted?: boolean;
    authenticated?: boolean;
    mutableMessages?: boolean;
    pushEnabled?: boolean;
  }[];
  channels?: { name: string; presence: { clientId: string; data?: string }[] }[];
  limits?: Partial<Limits>;
  /** Keep data on disk in a temp dir (SQLite) instead of memory. */
  sqlite?: boolean;
  /** A store to run on instead (a stand-in that fails on demand, say). */
  store?: Store;
  /** Persist every channel's history. */
  persistAllChannels?: boolean;
  /** Production mode (admin routes need `adminSecret`); development by default, as in tests. */
  production?: boolean;
  adminSecret?: string;
  /** Where the server sends pushes: pass a recording sender to see them. */
  pushSender?: PushSender;
  /** The engine's clock: a fake one lets a test step over a rate-limit window. */
  clock?: Clock;
  /** `notifications.catalog`, as the config file gives it. */
  notificationCatalog?: NotificationCatalog;
  /** Where the engine and host log (a capturing logger, to check what is logged); silent by default. */
  logger?: Logger;
}

/** Starts a server on port 0 and creates an app; close() stops it and removes its data. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const start = (port = 0): Promise<Switchboard> =>
    startSwitchboard(
      {
        port,
        host: '127.0.0.1',
        dataDir,
        development: !options.production,
        ...(options.adminSecret ? { adminSecret: options.adminSecret } : {}),
        corsOrigins: ['*'],
        apps: [],
        limits: options.limits ?? {},
        ...(options.persistAllChannels ? { persistAllChannels: true } : {}),
        ...(options.notificationCatalog
          ? { notifications: { catalog: options.notificationCatalog } }
          : {}),
      },
      {
        memoryStore: !options.sqlite,
        ...(options.store ? { store: options.store } : {}),
        ...(options.pushSender ? { pushSender: options.pushSender } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      },
    );
  let switchboard = await start();
  const record = await switchboard.engine.createApp({
    keys: (options.keys ?? [undefined]).map((spec) => {
      if (spec === undefined) return {};
      if (typeof spec === 'string') return { capability: spec };
      if ('revocableTokens' in spec) {
        return {
          revocableTokens: spec.revocableTokens,
          ...(spec.capability ? { capability: JSON.stringify(spec.capability) } : {}),
        };
      }
      return { capability: JSON.stringify(spec) };
    }),
    namespaces: options.namespaces ?? [],
    channels: options.channels ?? [],
  });
  const keys = record.keys.map((k) => ({
    keyName: k.keyName,
    secret: k.secret,
    keyStr: `${k.keyName}:${k.secret}`,
  }));
  return {
    get port() {
      return switchboard.port;
    },
    get switchboard() {
      return switchboard;
    },
    appId: record.id,
    keys,
    key: keys[0]!.keyStr,
    async restart() {
      if (!options.sqlite) throw new TypeError('restart() needs sqlite: true');
      const { port } = switchboard;
      await switchboard.close();
      // Clients in this process hold pooled keep-alive sockets to the old server: let their end
      // be read before a client picks one for the restarted server (it would hang up).
      await new Promise((resolve) => setTimeout(resolve, 25));
      // The same port, so connected clients reconnect to the restarted server on their own.
      switchboard = await start(port);
    },
    clientOptions: (format = 'msgpack') => ({
      endpoint: '127.0.0.1',
      port: switchboard.port,
      tls: false,
      useBinaryProtocol: format === 'msgpack',
      disableConnectivityCheck: true,
    }),
    async close() {
      await switchboard.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
