import { parseArgs } from 'node:util';
import { keyFromSpec, type KeyRecord } from '@switchboard/server';
import {
  AdminError,
  COMMON_HELP,
  COMMON_OPTIONS,
  type AdminCommand,
  type CommandOutput,
} from './command.js';
import { adminConfig, findKey, resolveApp, withStore } from './store-access.js';
import { formatPairs, formatTable } from './table.js';

const HELP = `Usage: switchboard keys list [--app <appId>] [--secrets]
       switchboard keys create [--app <appId>] [--capability '<json>'] [--revocable-tokens]
       switchboard keys revoke <keyName or full key>

  list      The app's keys and their capabilities
  create    Adds a key (default capability {"*":["*"]}); prints the full key
  revoke    Removes the key: requests and tokens signed with it are refused, and a running
            server ends its connections (error 40131) within 2 seconds

Options:
      --app <appId>         The app (optional when there is only one)
      --capability '<json>' e.g. '{"chat:*":["subscribe","publish","presence"]}'
      --revocable-tokens    Tokens of this key can be revoked one by one (RSA17)
      --secrets             Show each full key (name:secret), not only its name

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  app: { type: 'string' },
  capability: { type: 'string' },
  'revocable-tokens': { type: 'boolean' },
  secrets: { type: 'boolean' },
} as const;

const fullKey = (k: KeyRecord): string => `${k.keyName}:${k.secret}`;

function list(keys: KeyRecord[], secrets: boolean): CommandOutput {
  return {
    json: keys.map((k) => ({
      keyName: k.keyName,
      ...(secrets ? { keyStr: fullKey(k) } : {}),
      capability: JSON.parse(k.capability) as unknown,
      revocableTokens: k.revocableTokens ?? false,
    })),
    text: formatTable(
      [secrets ? 'KEY' : 'KEY NAME', 'CAPABILITY', 'REVOCABLE TOKENS'],
      keys.map((k) => [
        secrets ? fullKey(k) : k.keyName,
        k.capability,
        k.revocableTokens ? 'yes' : 'no',
      ]),
    ),
  };
}

/** `switchboard keys list|create|revoke`. */
export const keysCommand: AdminCommand = {
  name: 'keys',
  summary: 'list, create or revoke API keys',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    const [action, ...rest] = positionals;
    const config = adminConfig(values['data-dir'], env);
    if (action === 'list' && rest.length === 0) {
      return withStore(config, 'read', async (store) =>
        list((await resolveApp(store, values.app)).keys, values.secrets ?? false),
      );
    }
    if (action === 'create' && rest.length === 0) {
      return withStore(config, 'read', async (store) => {
        const app = await resolveApp(store, values.app);
        const key = keyFromSpec(app.id, {
          ...(values.capability !== undefined ? { capability: values.capability } : {}),
          ...(values['revocable-tokens'] ? { revocableTokens: true } : {}),
        });
        await store.saveApp({ ...app, keys: [...app.keys, key] });
        return {
          json: {
            keyName: key.keyName,
            keySecret: key.secret,
            keyStr: fullKey(key),
            capability: key.capability,
          },
          text: formatPairs([
            ['key', fullKey(key)],
            ['capability', key.capability],
          ]),
        };
      });
    }
    if (action === 'revoke' && rest.length === 1) {
      return withStore(config, 'read', async (store) => {
        const { app, key } = await findKey(store, rest[0]!);
        await store.saveApp({ ...app, keys: app.keys.filter((k) => k.keyName !== key.keyName) });
        return {
          json: { revoked: key.keyName, appId: app.id },
          text: `revoked key ${key.keyName}`,
        };
      });
    }
    if (action === 'revoke') throw new AdminError('keys revoke needs one key name');
    throw new AdminError(
      action === undefined
        ? 'keys needs list, create or revoke'
        : `unknown keys command: ${positionals.join(' ')}`,
    );
  },
};
