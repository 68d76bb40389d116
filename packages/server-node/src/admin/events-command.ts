import { parseArgs } from 'node:util';
import { AdminError, COMMON_HELP, COMMON_OPTIONS, type AdminCommand } from './command.js';
import { collectPages } from './paging.js';
import { adminConfig, resolveApp, withStore } from './store-access.js';
import { formatTable } from './table.js';
import { formatTime, parseCount, parseTime } from './time.js';

const HELP = `Usage: switchboard events [--app <appId>] [--channel <name>] [--since <time>]
                       [--until <time>] [--limit <n>]

The audit log of published messages: who published what, where and how (the payloads stay in
history). Shows the latest --limit events in the window, oldest first. A running server writes
events to the store within about 100 ms of the publish.

Options:
      --app <appId>     The app (optional when there is only one)
      --channel <name>  Only this channel
      --since <time>    From this time: ISO 8601, epoch ms, or back from now (90s, 10m, 2h, 7d)
      --until <time>    Before this time (same forms)
      --limit <n>       Events to show at most (default 100)

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  app: { type: 'string' },
  channel: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** `switchboard events`. */
export const eventsCommand: AdminCommand = {
  name: 'events',
  summary: 'the audit log of published messages',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    if (positionals.length > 0) throw new AdminError(`unexpected argument: ${positionals[0]}`);
    const now = Date.now();
    const limit = parseCount('limit', values.limit, 100);
    const since = values.since !== undefined ? parseTime(values.since, now) : undefined;
    const until = values.until !== undefined ? parseTime(values.until, now) : undefined;
    const config = adminConfig(values['data-dir'], env);
    return withStore(config, 'read', async (store) => {
      const app = await resolveApp(store, values.app);
      // Newest first from the store, so --limit keeps the latest; shown oldest first, like a log.
      const events = (
        await collectPages(limit, (pageLimit, cursor) =>
          store.listEvents({
            appId: app.id,
            limit: pageLimit,
            backwards: true,
            ...(values.channel !== undefined ? { channel: values.channel } : {}),
            ...(since !== undefined ? { since } : {}),
            ...(until !== undefined ? { until } : {}),
            ...(cursor !== undefined ? { cursor } : {}),
          }),
        )
      ).reverse();
      return {
        json: events,
        text: formatTable(
          ['TIME', 'CHANNEL', 'NAME', 'CLIENT', 'SOURCE', 'BYTES', 'CONNECTION', 'SERIAL'],
          events.map((e) => [
            formatTime(e.timestamp),
            e.channel,
            e.name ?? '',
            e.clientId ?? '',
            e.source,
            String(e.dataBytes),
            e.connectionId,
            e.serial,
          ]),
        ),
      };
    });
  },
};
