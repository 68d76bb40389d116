import { parseArgs } from 'node:util';
import { AdminError, COMMON_HELP, COMMON_OPTIONS, type AdminCommand } from './command.js';
import { collectPages } from './paging.js';
import { adminConfig, resolveApp, withStore } from './store-access.js';
import { formatTable } from './table.js';
import { formatTime, parseCount } from './time.js';

const HELP = `Usage: switchboard channels [--app <appId>] [--prefix <p>] [--all] [--limit <n>]

The app's channels from the channel registry, by name. By default only the active ones (with
subscribers or presence members when the server last wrote the registry, about every second);
--all adds those used before. A stopped server has no active channels.

Options:
      --app <appId>     The app (optional when there is only one)
      --prefix <p>      Only channels whose name starts with p
      --all             Inactive channels too
      --limit <n>       Channels to show at most (default 100)

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  app: { type: 'string' },
  prefix: { type: 'string' },
  all: { type: 'boolean' },
  limit: { type: 'string' },
} as const;

/** `switchboard channels`. */
export const channelsCommand: AdminCommand = {
  name: 'channels',
  summary: 'the channels an app has used (active only unless --all)',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    if (positionals.length > 0) throw new AdminError(`unexpected argument: ${positionals[0]}`);
    const limit = parseCount('limit', values.limit, 100);
    const config = adminConfig(values['data-dir'], env);
    return withStore(config, 'read', async (store) => {
      const app = await resolveApp(store, values.app);
      const channels = await collectPages(limit, (pageLimit, cursor) =>
        store.listChannels({
          appId: app.id,
          limit: pageLimit,
          ...(values.prefix !== undefined ? { prefix: values.prefix } : {}),
          ...(values.all ? {} : { activeOnly: true }),
          ...(cursor !== undefined ? { cursor } : {}),
        }),
      );
      return {
        json: channels,
        text: formatTable(
          ['CHANNEL', 'ACTIVE', 'FIRST ACTIVITY', 'LAST ACTIVITY'],
          channels.map((c) => [
            c.name,
            c.active ? 'yes' : 'no',
            formatTime(c.firstActivityAt),
            formatTime(c.lastActivityAt),
          ]),
        ),
      };
    });
  },
};
