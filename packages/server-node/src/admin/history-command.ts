import { parseArgs } from 'node:util';
import { channelNamespace, toJsonPayload, type Message } from '@switchboard/protocol';
import type { AppRecord } from '@switchboard/server';
import { AdminError, COMMON_HELP, COMMON_OPTIONS, type AdminCommand } from './command.js';
import { adminConfig, resolveApp, withStore } from './store-access.js';
import { formatTable } from './table.js';
import { formatTime, parseCount } from './time.js';

const HELP = `Usage: switchboard history <channel> [--app <appId>] [--limit <n>]
                                    [--direction backwards|forwards]

A persisted channel's message history, read from the store (each message once, in its latest
version). Only channels of a namespace with "persisted": true are stored; the others keep just
the in-memory resume window of a running server, which this command does not see.

Options:
      --app <appId>         The app (optional when there is only one)
      --limit <n>           Messages to show at most (default 100)
      --direction <dir>     backwards (newest first, the default) or forwards

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  app: { type: 'string' },
  limit: { type: 'string' },
  direction: { type: 'string' },
} as const;

/** The payload as a table shows it: text as is, bytes as their count. */
function shownData(m: Message): string {
  if (m.data === undefined) return '';
  return typeof m.data === 'string' ? m.data : `(${m.data.byteLength} bytes)`;
}

/** Whether the app's namespaces persist this channel, as the engine decides it. */
function isPersisted(app: AppRecord, channel: string): boolean {
  const ns = channelNamespace(channel);
  const rule =
    (ns && app.namespaces.find((n) => n.id === ns)) || app.namespaces.find((n) => n.id === channel);
  return rule?.persisted === true;
}

/** `switchboard history <channel>`. */
export const historyCommand: AdminCommand = {
  name: 'history',
  summary: "a persisted channel's message history",
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    if (positionals.length !== 1) throw new AdminError('history needs one channel name');
    const channel = positionals[0]!;
    const direction = values.direction ?? 'backwards';
    if (direction !== 'backwards' && direction !== 'forwards')
      throw new AdminError('--direction must be backwards or forwards');
    const limit = parseCount('limit', values.limit, 100);
    const config = adminConfig(values['data-dir'], env);
    return withStore(config, 'read', async (store) => {
      const app = await resolveApp(store, values.app);
      const items = await store.readHistory({
        appId: app.id,
        channel,
        kind: 'message',
        backwards: direction === 'backwards',
        limit,
        asSent: false,
      });
      const messages = items.map((i) => i.item as Message);
      return {
        json: messages.map((m) =>
          m.data === undefined
            ? m
            : {
                ...m,
                ...toJsonPayload({ data: m.data, ...(m.encoding ? { encoding: m.encoding } : {}) }),
              },
        ),
        text: formatTable(
          ['TIME', 'NAME', 'CLIENT', 'DATA', 'ID'],
          messages.map((m) => [
            formatTime(m.timestamp),
            m.name ?? '',
            m.clientId ?? '',
            shownData(m),
            m.id ?? '',
          ]),
        ),
        ...(isPersisted(app, channel)
          ? {}
          : {
              notes: [
                `note: ${channel} is not in a persisted namespace of app ${app.id}, so its history is not stored`,
              ],
            }),
      };
    });
  },
};
