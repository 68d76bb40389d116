#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { adminCommandsHelp, runAdmin } from './admin/run-admin.js';
import { loadConfig } from './config.js';
import { createProcessLogger } from './log.js';
import { startSwitchboard } from './start.js';

const HELP = `switchboard — a self-hosted realtime server that speaks the Ably protocol

Usage: switchboard [options]             run the server (npm start runs this)
       switchboard <command> [options]   operate on the server's data, running or not

Commands (switchboard <command> --help for each):
${adminCommandsHelp()}

Options:
  -p, --port <n>        Port for REST and WebSocket (env PORT, default 8080)
      --host <addr>     Address to bind (env HOST). Default: 127.0.0.1 in development
                        mode (POST /apps is open there), all interfaces in production
  -d, --data-dir <dir>  Where SQLite data lives (env SWITCHBOARD_DATA_DIR, default ./data)
  -c, --config <file>   JSON config: apps, keys, limits (env SWITCHBOARD_CONFIG)
      --persist-all     Persist every channel's history (env SWITCHBOARD_PERSIST_ALL=true);
                        otherwise only namespaces with "persisted": true in the config
      --production      Production mode: POST /apps needs SWITCHBOARD_ADMIN_SECRET,
                        CORS origins only from SWITCHBOARD_CORS_ORIGINS (env SWITCHBOARD_MODE)
      --redis <url>     Join a cluster through Redis (env REDIS_URL), e.g. redis://cache:6379:
                        nodes sharing it act as one server; SWITCHBOARD_REDIS_PREFIX (default
                        sb:) separates clusters, SWITCHBOARD_NODE_ID names this node
      --log-pretty      Plain log lines for people instead of JSON lines (env
                        SWITCHBOARD_LOG_FORMAT=pretty); SWITCHBOARD_LOG_LEVEL (or "logLevel")
                        picks debug, info (default), warn, error or silent
  -h, --help            Show this help

Storage: SQLite in the data directory by default. Set DATABASE_URL (or "databaseUrl" in the
config file), e.g. postgres://user:pass@db:5432/switchboard, to keep everything in PostgreSQL
instead, as several nodes need; SWITCHBOARD_DATABASE_SCHEMA ("databaseSchema") picks a schema.
Tables are created and migrated on start (see docs/deploy.md for the ones you can query).

Push: pushes are only recorded in memory by default, so in development nothing leaves the
machine. EXPO_ACCESS_TOKEN or SWITCHBOARD_EXPO_URL (or "push": {"expo": {...}} in the config
file) sends them to Expo; see docs/notifications.md.

On a first start in development mode with no apps, a development app is created
and its full-access key printed. Development mode is for one machine: anyone who
reaches the port can create apps, so bind it elsewhere (--host 0.0.0.0) only on a
network you trust. Production mode without SWITCHBOARD_ADMIN_SECRET starts, but
POST /apps, DELETE /apps and POST /stats are then refused.

The commands open the same database as the server (same --data-dir, DATABASE_URL and the rest
of the environment), whether it runs or not; a running server sees apps and keys they change within 2 seconds.`;

function snippet(key: string, port: number): string {
  return `
  Development key: ${key}

  Connect with the official ably client:

    import * as Ably from 'ably';
    const realtime = new Ably.Realtime({
      key: '${key}',
      endpoint: 'localhost', port: ${port}, tls: false,
    });
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'data-dir': { type: 'string', short: 'd' },
      config: { type: 'string', short: 'c' },
      production: { type: 'boolean' },
      'persist-all': { type: 'boolean' },
      'log-pretty': { type: 'boolean' },
      redis: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const config = loadConfig({
    ...(values.port ? { port: values.port } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values.config ? { config: values.config } : {}),
    ...(values.production ? { production: true } : {}),
    ...(values['persist-all'] ? { persistAll: true } : {}),
    ...(values['log-pretty'] ? { logPretty: true } : {}),
    ...(values.redis ? { redis: values.redis } : {}),
  });
  const logger = createProcessLogger({
    level: config.logLevel ?? 'info',
    format: config.logFormat ?? 'json',
  });
  const sb = await startSwitchboard(config, { logger });
  const mode = config.development ? 'development' : 'production';
  // The address the OS bound, not the one asked for: the log must not say `localhost` when the
  // port is open on every interface.
  const shown = sb.address.includes(':') ? `[${sb.address}]` : sb.address;
  logger.info(`listening on http://${shown}:${sb.port} (${mode} mode, data in ${config.dataDir})`, {
    address: sb.address,
    port: sb.port,
    mode,
    store: config.databaseUrl ? 'postgres' : 'sqlite',
    broker: config.redisUrl ? 'redis' : 'memory',
  });
  if (!config.development && !config.adminSecret) {
    logger.warn(
      'production mode without SWITCHBOARD_ADMIN_SECRET: ' +
        'POST /apps, DELETE /apps and POST /stats are refused until it is set',
    );
  }
  if (sb.developmentKey) {
    // The key is for the person at the terminal, not for a log store: in JSON mode it goes to
    // stderr as plain text, so stdout stays JSON lines and a log shipper reading them never
    // collects a secret.
    const text = snippet(sb.developmentKey, sb.port);
    if (config.logFormat === 'pretty') console.log(text);
    else console.error(text);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn(`second ${signal}, exiting now`, { signal });
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info(
      `${signal} received, draining: clients are told to reconnect, pending writes stored`,
      { signal, connections: sb.engine.stats().connections },
    );
    sb.drain().then(
      () => {
        logger.info('drain finished, exiting');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('drain failed', { error: String(err) });
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

// A first argument that is not a flag names an operator command; anything else runs the server,
// so `npm start -- --port 9000` is unchanged.
const first = process.argv[2];
const run =
  first === 'help'
    ? Promise.resolve(console.log(HELP))
    : first !== undefined && !first.startsWith('-')
      ? runAdmin(process.argv.slice(2)).then((code) => void (process.exitCode = code))
      : main();
run.catch((err: unknown) => {
  console.error(`switchboard: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
