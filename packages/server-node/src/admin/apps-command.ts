import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { appFromSpec, describeApp, type AppRecord } from '@switchboard/server';
import {
  AdminError,
  COMMON_HELP,
  COMMON_OPTIONS,
  type AdminCommand,
  type CommandOutput,
} from './command.js';
import { adminConfig, withStore } from './store-access.js';
import { formatPairs, formatTable } from './table.js';
import { formatTime } from './time.js';

const HELP = `Usage: switchboard apps list
       switchboard apps create [--persisted <namespace>]... [--id <appId>] [--spec '<json>']
       switchboard apps delete <appId> [--yes]

  list      Every app with its keys and namespaces
  create    Creates an app with one full-access key; prints the app id and the full key
  delete    Deletes an app, its keys and channels (asks for the app id again on a terminal)

Options:
      --persisted <ns>  Add a namespace whose channels keep history in the store (repeatable)
      --id <appId>      Choose the app id (default: random)
      --spec '<json>'   The app as POST /apps takes it: {"keys":[{"capability":{...}}],
                        "namespaces":[{"id":"chat","persisted":true}]}
  -y, --yes             Delete without asking

A running server sees apps created or deleted here within 2 seconds; a deleted app's
connections are ended as by DELETE /apps.

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  persisted: { type: 'string', multiple: true },
  id: { type: 'string' },
  spec: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
} as const;

function list(apps: AppRecord[]): CommandOutput {
  return {
    json: apps.map((a) => ({
      appId: a.id,
      createdAt: a.createdAt,
      keys: a.keys.map((k) => k.keyName),
      namespaces: a.namespaces,
    })),
    text: formatTable(
      ['APP', 'CREATED', 'KEYS', 'NAMESPACES'],
      apps.map((a) => [
        a.id,
        formatTime(a.createdAt),
        String(a.keys.length),
        a.namespaces.map((n) => (n.persisted ? `${n.id} (persisted)` : n.id)).join(', '),
      ]),
    ),
  };
}

function specOf(values: { spec?: string; persisted?: string[] }): Record<string, unknown> {
  let spec: Record<string, unknown> = {};
  if (values.spec !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.spec);
    } catch {
      throw new AdminError('--spec must be JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new AdminError('--spec must be a JSON object');
    spec = parsed as Record<string, unknown>;
  }
  if (values.persisted?.length) {
    const given = Array.isArray(spec.namespaces) ? (spec.namespaces as unknown[]) : [];
    spec.namespaces = [...given, ...values.persisted.map((id) => ({ id, persisted: true }))];
  }
  return spec;
}

async function confirmDelete(appId: string): Promise<void> {
  // Only a person at a terminal is asked; scripts pass the id and mean it.
  if (!process.stdin.isTTY) return;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Type the app id (${appId}) to delete it and its keys: `);
    if (answer.trim() !== appId) throw new AdminError('not deleted: the id typed did not match');
  } finally {
    rl.close();
  }
}

/** `switchboard apps list|create|delete`. */
export const appsCommand: AdminCommand = {
  name: 'apps',
  summary: 'list, create or delete apps',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    const [action, ...rest] = positionals;
    const config = adminConfig(values['data-dir'], env);
    if (action === 'list' && rest.length === 0)
      return withStore(config, 'read', async (store) => list(await store.listApps()));
    if (action === 'create' && rest.length === 0) {
      return withStore(config, 'write', async (store) => {
        if (values.id !== undefined) {
          if (!/^[A-Za-z0-9_-]+$/.test(values.id))
            throw new AdminError('--id may hold only letters, digits, _ and -');
          if ((await store.listApps()).some((a) => a.id === values.id))
            throw new AdminError(`app ${values.id} already exists`);
        }
        const record = appFromSpec(specOf(values), Date.now(), values.id);
        await store.saveApp(record);
        const key = record.keys[0]!;
        return {
          json: describeApp(record),
          text: formatPairs([
            ['app', record.id],
            ['key', `${key.keyName}:${key.secret}`],
            ...record.keys.slice(1).map((k) => ['key', `${k.keyName}:${k.secret}`] as const),
            ...record.namespaces.map(
              (n) => ['namespace', n.persisted ? `${n.id} (persisted)` : n.id] as const,
            ),
          ]),
        };
      });
    }
    if (action === 'delete' && rest.length === 1) {
      const appId = rest[0]!;
      return withStore(config, 'read', async (store) => {
        if (!(await store.listApps()).some((a) => a.id === appId))
          throw new AdminError(`unknown app: ${appId}`);
        if (!values.yes) await confirmDelete(appId);
        await store.deleteApp(appId);
        return { json: { deleted: appId }, text: `deleted app ${appId}` };
      });
    }
    if (action === 'delete')
      throw new AdminError('apps delete needs the app id: apps delete <appId>');
    throw new AdminError(
      action === undefined
        ? 'apps needs list, create or delete'
        : `unknown apps command: ${positionals.join(' ')}`,
    );
  },
};
