import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, tokenForKey } from '@switchboard/server';
import { AdminError, COMMON_HELP, COMMON_OPTIONS, type AdminCommand } from './command.js';
import { adminConfig, findKey, resolveApp, withStore, type FoundKey } from './store-access.js';
import { formatPairs } from './table.js';
import { formatTime } from './time.js';

const HELP = `Usage: switchboard token [--key <keyName or full key>] [--client-id <id>]
                        [--capability '<json>'] [--ttl <ms>]

Mints a token the server accepts, offline: it is signed here with the key's secret from the
store, as POST /keys/{keyName}/requestToken would sign it. The capability is intersected with
the key's; the ttl may not exceed the server's maxTokenTtlMs.

Options:
      --key <key>           The signing key (optional when the app has only one key)
      --app <appId>         Where to look for that only key (optional with one app)
      --client-id <id>      The clientId the token is bound to ("*": any the client names)
      --capability '<json>' e.g. '{"chat:*":["subscribe"]}' (default: the key's)
      --ttl <ms>            Lifetime in ms (default 3600000)

Print only the token for scripts: switchboard token --json | jq -r .token

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  key: { type: 'string' },
  app: { type: 'string' },
  'client-id': { type: 'string' },
  capability: { type: 'string' },
  ttl: { type: 'string' },
} as const;

/** `switchboard token`: a token signed with a key from the store. */
export const tokenCommand: AdminCommand = {
  name: 'token',
  summary: 'mint a token with a key from the store (offline)',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    if (positionals.length > 0) throw new AdminError(`unexpected argument: ${positionals[0]}`);
    const config = adminConfig(values['data-dir'], env);
    const found = await withStore(config, 'read', async (store): Promise<FoundKey> => {
      if (values.key !== undefined) return findKey(store, values.key);
      const app = await resolveApp(store, values.app);
      if (app.keys.length !== 1)
        throw new AdminError(`app ${app.id} has ${app.keys.length} keys: name one with --key`);
      return { app, key: app.keys[0]! };
    });
    // The server's own token limits (config file included), so the ttl check agrees with it.
    const limits = { ...DEFAULT_LIMITS, ...config.limits };
    const details = tokenForKey(
      found.key,
      {
        ...(values['client-id'] !== undefined ? { clientId: values['client-id'] } : {}),
        ...(values.capability !== undefined ? { capability: values.capability } : {}),
        ...(values.ttl !== undefined ? { ttl: values.ttl } : {}),
      },
      limits,
      Date.now(),
    );
    return {
      json: details,
      text: formatPairs([
        ['token', details.token],
        ['keyName', details.keyName],
        ['clientId', details.clientId ?? ''],
        ['capability', details.capability],
        ['issued', formatTime(details.issued)],
        ['expires', formatTime(details.expires)],
      ]),
    };
  },
};
