import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateCatalog, type Limits, type NotificationCatalog } from '@switchboard/server';
import { logConfig, type LogFormat, type LogLevel } from './log-config.js';

/** A key given in the config file: stable name and secret, so app code can keep its key. */
export interface ConfigKey {
  name: string;
  secret: string;
  capability?: string | Record<string, string[]>;
  /** Tokens of this key can be revoked by clientId (RSA17, `POST /keys/{keyName}/revokeTokens`). */
  revocableTokens?: boolean;
}

/**
 * A webhook rule given in the config file. `key` is a key's `name` in the same app (default: the
 * app's first key); `id` defaults to `hook<n>` by position, so a rule keeps its pause across
 * restarts.
 */
export interface ConfigWebhook {
  id?: string;
  url: string;
  sources?: string[];
  channelFilter?: string;
  key?: string;
}

/** An app given in the config file. */
export interface ConfigApp {
  id: string;
  keys: ConfigKey[];
  namespaces?: { id: string; persisted?: boolean; authenticated?: boolean }[];
  webhooks?: ConfigWebhook[];
}

/** Everything that configures a Switchboard process. */
export interface SwitchboardConfig {
  port: number;
  /**
   * Address to bind. Development mode defaults to 127.0.0.1, as POST /apps is open there and CORS
   * admits any origin; production binds all interfaces unless told otherwise.
   */
  host?: string;
  dataDir: string;
  /** development (default): POST /apps open, any CORS origin, dev app on first start. */
  development: boolean;
  adminSecret?: string;
  corsOrigins: string[];
  apps: ConfigApp[];
  limits: Partial<Limits>;
  /** Persist every channel's history, not only those of `persisted: true` namespaces. */
  persistAllChannels?: boolean;
  /** SQLite `synchronous`: `normal` (default) or `full` (durable against power loss too). */
  sqliteSynchronous?: 'normal' | 'full';
  /**
   * PostgreSQL connection string (env DATABASE_URL): the store of record is then PostgreSQL, not
   * SQLite under `dataDir`. Several nodes share one database this way.
   */
  databaseUrl?: string;
  /** PostgreSQL schema for Switchboard's tables (env SWITCHBOARD_DATABASE_SCHEMA). */
  databaseSchema?: string;
  /**
   * Redis connection string (env REDIS_URL, flag --redis): several nodes act as one server through
   * it. Unset: one node, channels kept in memory.
   */
  redisUrl?: string;
  /** Prefix of every Redis key and topic (env SWITCHBOARD_REDIS_PREFIX, default `sb:`). */
  redisPrefix?: string;
  /** This node's id in the cluster (env SWITCHBOARD_NODE_ID, default random per start). */
  nodeId?: string;
  /**
   * `POST /notify` settings: `catalog` gives push titles and bodies per app id (or `*`) and event
   * name (or `*` for that app's default), `{placeholder}`s filled from the notification's data.
   */
  notifications?: { catalog?: NotificationCatalog };
  /**
   * Push transports. Without `push.expo` pushes are only recorded in memory: in development
   * nothing leaves the machine.
   */
  push?: { expo?: ExpoConfig };
  /** Log level (env SWITCHBOARD_LOG_LEVEL): debug, info (default), warn, error or silent. */
  logLevel?: LogLevel;
  /** Log format (env SWITCHBOARD_LOG_FORMAT, flag --log-pretty): json (default) or pretty. */
  logFormat?: LogFormat;
}

/** The Expo push transport (env EXPO_ACCESS_TOKEN, SWITCHBOARD_EXPO_URL). */
export interface ExpoConfig {
  /** Expo access token, for projects with enhanced push security. */
  accessToken?: string;
  /** Expo's push API base URL (default https://exp.host): a stand-in or an air-gapped relay. */
  url?: string;
}

/** Command-line flags, which win over the environment. */
export interface CliFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
  production?: boolean;
  persistAll?: boolean;
  logPretty?: boolean;
  redis?: string;
}

function readConfigFile(path: string): Partial<SwitchboardConfig> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<SwitchboardConfig>;
  } catch (err) {
    throw new TypeError(`Cannot read config file ${path}: ${(err as Error).message}`);
  }
}

/** Builds the config from flags, environment (PORT, SWITCHBOARD_*) and an optional JSON file. */
export function loadConfig(
  flags: CliFlags,
  env: NodeJS.ProcessEnv = process.env,
): SwitchboardConfig {
  const file = flags.config ?? env.SWITCHBOARD_CONFIG;
  const fromFile = file ? readConfigFile(resolve(file)) : {};
  const port = Number(flags.port ?? env.PORT ?? fromFile.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`Invalid port: ${flags.port ?? env.PORT}`);
  const production =
    flags.production || env.SWITCHBOARD_MODE === 'production' || fromFile.development === false;
  const cors = env.SWITCHBOARD_CORS_ORIGINS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const config: SwitchboardConfig = {
    port,
    dataDir: resolve(flags.dataDir ?? env.SWITCHBOARD_DATA_DIR ?? fromFile.dataDir ?? './data'),
    development: !production,
    corsOrigins: cors ?? fromFile.corsOrigins ?? (production ? [] : ['*']),
    apps: fromFile.apps ?? [],
    limits: fromFile.limits ?? {},
  };
  // An empty HOST counts as unset, as shells and container specs often leave it so.
  const host = flags.host || env.HOST || fromFile.host || (production ? undefined : '127.0.0.1');
  if (host) config.host = host;
  const adminSecret = env.SWITCHBOARD_ADMIN_SECRET ?? fromFile.adminSecret;
  if (adminSecret) config.adminSecret = adminSecret;
  if (flags.persistAll || env.SWITCHBOARD_PERSIST_ALL === 'true' || fromFile.persistAllChannels)
    config.persistAllChannels = true;
  const sync = env.SWITCHBOARD_SQLITE_SYNCHRONOUS ?? fromFile.sqliteSynchronous;
  if (sync !== undefined) {
    if (sync !== 'normal' && sync !== 'full')
      throw new TypeError(`Invalid SQLite synchronous setting: ${sync} (normal or full)`);
    config.sqliteSynchronous = sync;
  }
  // An empty DATABASE_URL counts as unset, so a blank line in an env file keeps SQLite.
  const databaseUrl = env.DATABASE_URL || fromFile.databaseUrl;
  if (databaseUrl) config.databaseUrl = databaseUrl;
  const databaseSchema = env.SWITCHBOARD_DATABASE_SCHEMA || fromFile.databaseSchema;
  if (databaseSchema) {
    if (!databaseUrl)
      throw new TypeError('SWITCHBOARD_DATABASE_SCHEMA (databaseSchema) needs DATABASE_URL');
    config.databaseSchema = databaseSchema;
  }
  const redisUrl = flags.redis || env.REDIS_URL || fromFile.redisUrl;
  if (redisUrl) config.redisUrl = redisUrl;
  const redisPrefix = env.SWITCHBOARD_REDIS_PREFIX || fromFile.redisPrefix;
  if (redisPrefix) config.redisPrefix = redisPrefix;
  const nodeId = env.SWITCHBOARD_NODE_ID || fromFile.nodeId;
  if (nodeId) config.nodeId = nodeId;
  const catalog = fromFile.notifications?.catalog;
  if (catalog !== undefined) config.notifications = { catalog: validateCatalog(catalog) };
  const log = logConfig(env, fromFile, flags.logPretty);
  config.logLevel = log.level;
  config.logFormat = log.format;
  const expo = expoConfig(env, fromFile.push?.expo);
  if (expo) config.push = { expo };
  return config;
}

/** Expo is on when its token or URL is set (env wins over the file), or the file has `push.expo`. */
function expoConfig(env: NodeJS.ProcessEnv, fromFile?: ExpoConfig): ExpoConfig | undefined {
  const accessToken = env.EXPO_ACCESS_TOKEN || fromFile?.accessToken;
  const url = env.SWITCHBOARD_EXPO_URL || fromFile?.url;
  if (!accessToken && !url && !fromFile) return undefined;
  if (url && !/^https?:\/\//.test(url))
    throw new TypeError(`Invalid SWITCHBOARD_EXPO_URL (push.expo.url): ${url}`);
  return { ...(accessToken ? { accessToken } : {}), ...(url ? { url } : {}) };
}
