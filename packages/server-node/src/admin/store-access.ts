import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppRecord, KeyRecord, Store } from '@switchboard/server';
import { loadConfig, type SwitchboardConfig } from '../config.js';
import { openConfiguredStore } from '../open-store.js';
import { AdminError } from './command.js';

/**
 * The server's config as the CLI sees it: the same flags-then-environment-then-file rules, so
 * `--data-dir`, SWITCHBOARD_DATA_DIR, SWITCHBOARD_CONFIG and the ./data default name the same
 * database the server uses.
 */
export function adminConfig(
  dataDir: string | undefined,
  env: NodeJS.ProcessEnv,
): SwitchboardConfig {
  // PORT and HOST do not matter here; a stray invalid PORT must not stop an operator command.
  return loadConfig(dataDir ? { dataDir, port: '0' } : { port: '0' }, env);
}

/**
 * Opens the server's store directly, whether or not the server is running, runs `use` and closes
 * it: the PostgreSQL database when DATABASE_URL (or `databaseUrl`) names one, else the SQLite
 * file in the data directory (WAL mode and a busy timeout let both use it). Reading a SQLite
 * database that does not exist is an error, since it almost always means a wrong data directory;
 * `write` creates it.
 */
export async function withStore<T>(
  config: SwitchboardConfig,
  mode: 'read' | 'write',
  use: (store: Store) => Promise<T>,
): Promise<T> {
  const { dataDir } = config;
  if (!config.databaseUrl && mode === 'read' && !existsSync(join(dataDir, 'switchboard.sqlite')))
    throw new AdminError(
      `no Switchboard database in ${dataDir} (use --data-dir or SWITCHBOARD_DATA_DIR)`,
    );
  const store = await openConfiguredStore(config);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/**
 * The app a command is about: the one named, or the only one when there is exactly one, so a
 * single-app installation never needs `--app`.
 */
export async function resolveApp(store: Store, appId: string | undefined): Promise<AppRecord> {
  const apps = await store.listApps();
  if (appId !== undefined) {
    const app = apps.find((a) => a.id === appId);
    if (!app) throw new AdminError(`unknown app: ${appId}`);
    return app;
  }
  if (apps.length === 1) return apps[0]!;
  if (apps.length === 0) throw new AdminError('there are no apps yet (switchboard apps create)');
  throw new AdminError(
    `there are ${apps.length} apps: name one with --app (${apps.map((a) => a.id).join(', ')})`,
  );
}

/** A key found by its name or its full `name:secret` form, with its app. */
export interface FoundKey {
  app: AppRecord;
  key: KeyRecord;
}

/**
 * Finds a key by name (`app.keyId`) or full key (`app.keyId:secret`, whose secret must match:
 * a stale full key must not silently work).
 */
export async function findKey(store: Store, given: string): Promise<FoundKey> {
  const colon = given.indexOf(':');
  const keyName = colon < 0 ? given : given.slice(0, colon);
  for (const app of await store.listApps()) {
    const key = app.keys.find((k) => k.keyName === keyName);
    if (!key) continue;
    if (colon >= 0 && given.slice(colon + 1) !== key.secret)
      throw new AdminError(`the secret given does not match key ${keyName}`);
    return { app, key };
  }
  throw new AdminError(`unknown key: ${keyName}`);
}
