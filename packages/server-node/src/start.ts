import {
  createEngine,
  createMemoryStore,
  webhookRuleFromSpec,
  type AppRecord,
  type Engine,
  type Logger,
  type Store,
  type PushSender,
  type Clock,
  type Broker,
} from '@switchboard/server';
import { openConfiguredBroker } from './open-broker.js';
import type { SwitchboardConfig } from './config.js';
import { startHost, type Host } from './http-host.js';
import { createMetricsEndpoint } from './metrics.js';
import { openConfiguredStore } from './open-store.js';
import { configuredPushSender } from './push-sender.js';

/** A running Switchboard: engine, store and listener. */
export interface Switchboard {
  readonly port: number;
  /** The address bound, as the OS reports it (`127.0.0.1`, `0.0.0.0`, `::`). */
  readonly address: string;
  readonly engine: Engine;
  /** The development app created on first start, if one was. */
  readonly developmentKey?: string;
  /**
   * Graceful drain (SIGTERM): stop accepting, send every client DISCONNECTED so it reconnects
   * and resumes elsewhere, store what is pending, then close.
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Options beyond the config file, mostly for tests. */
export interface StartOptions {
  /** Use an in-memory store instead of the configured one (SQLite or PostgreSQL). */
  memoryStore?: boolean;
  /** A store to use instead (tests inject one that fails on demand). */
  store?: Store;
  logger?: Logger;
  /** Where pushes go (the engine's default records them); the Expo adapter plugs in here. */
  pushSender?: PushSender;
  /** The engine's clock (tests pass a fake one to step over rate-limit windows). */
  clock?: Clock;
  /** A cluster broker to use instead of the configured one (tests pass an in-memory one). */
  broker?: Broker;
}

/**
 * The app record of a config file app. The file is the source of truth for its keys and rules,
 * but a rule's pause (`previous`'s) is kept: restarting must not resume an endpoint that was
 * failing without the operator saying so.
 */
function configAppRecord(app: SwitchboardConfig['apps'][number], previous?: AppRecord): AppRecord {
  const record: AppRecord = {
    id: app.id,
    createdAt: 0,
    keys: app.keys.map((k) => ({
      keyName: `${app.id}.${k.name}`,
      secret: k.secret,
      capability:
        typeof k.capability === 'string'
          ? k.capability
          : JSON.stringify(k.capability ?? { '*': ['*'] }),
      ...(k.revocableTokens === true ? { revocableTokens: true } : {}),
    })),
    namespaces: app.namespaces ?? [],
  };
  if (app.webhooks) {
    record.webhooks = app.webhooks.map((w, i) => {
      const rule = webhookRuleFromSpec(record, {
        ...w,
        id: w.id ?? `hook${i + 1}`,
        ...(w.key !== undefined ? { keyName: `${app.id}.${w.key}` } : {}),
      });
      const paused = previous?.webhooks?.find((p) => p.id === rule.id)?.paused;
      return paused ? { ...rule, paused } : rule;
    });
  }
  return record;
}

/** Starts Switchboard with the given config: the one wiring of ports and adapters. */
export async function startSwitchboard(
  config: SwitchboardConfig,
  options: StartOptions = {},
): Promise<Switchboard> {
  const store: Store =
    options.store ??
    (options.memoryStore ? createMemoryStore() : await openConfiguredStore(config));
  const configured = options.pushSender ? undefined : configuredPushSender(config, options.logger);
  const pushSender = options.pushSender ?? configured;
  let engine: Engine;
  let opened: Broker | undefined;
  try {
    opened = options.broker ? undefined : await openConfiguredBroker(config, options.logger);
    const broker = options.broker ?? opened;
    engine = await createEngine({
      ...(broker ? { broker } : {}),
      store,
      development: config.development,
      limits: config.limits,
      ...(config.persistAllChannels ? { persistAllChannels: true } : {}),
      ...(config.adminSecret ? { adminSecret: config.adminSecret } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(pushSender ? { pushSender } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(config.notifications?.catalog
        ? { notificationCatalog: config.notifications.catalog }
        : {}),
    });
  } catch (err) {
    // A pool left open would keep the process alive after the error is reported.
    if (!options.store) await store.close();
    await opened?.close();
    await configured?.close();
    throw err;
  }
  for (const app of config.apps)
    await engine.apps.save(configAppRecord(app, engine.apps.get(app.id)?.record));
  let developmentKey: string | undefined;
  if (config.development && engine.apps.count() === 0) {
    const record = await engine.createApp({ keys: [{}] }, 'dev');
    const key = record.keys[0]!;
    developmentKey = `${key.keyName}:${key.secret}`;
  }
  let host: Host;
  try {
    host = await startHost({
      engine,
      port: config.port,
      corsOrigins: config.corsOrigins,
      metrics: createMetricsEndpoint(engine),
      dashboard: {
        development: config.development,
        ...(config.adminSecret ? { adminSecret: config.adminSecret } : {}),
      },
      ...(config.host ? { host: config.host } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (err) {
    await engine.close();
    await opened?.close();
    await store.close();
    await configured?.close();
    throw err;
  }
  const close = async (): Promise<void> => {
    await engine.close();
    await host.close();
    // After the engine: the leaves of its last sessions went through the broker.
    await opened?.close();
    await store.close();
    // Only a sender made here from config is ours to close; an injected one is the caller's.
    await configured?.close();
  };
  return {
    port: host.port,
    address: host.address,
    engine,
    ...(developmentKey ? { developmentKey } : {}),
    async drain() {
      host.stopAccepting();
      engine.drain();
      await close();
    },
    close,
  };
}
