import { parseArgs } from 'node:util';
import { AdminError, COMMON_HELP, COMMON_OPTIONS, type AdminCommand } from './command.js';
import { collectPages } from './paging.js';
import { adminConfig, resolveApp, withStore } from './store-access.js';
import { formatTable } from './table.js';
import { formatTime, parseCount, parseTime } from './time.js';

const HELP = `Usage: switchboard notifications [--app <appId>] [--recipient <clientId>]
                              [--sender <clientId>] [--since <time>] [--limit <n>]

The notification log: every POST /notify and nudge decision (realtime, push, none, suppressed,
failed) and why. Shows the latest --limit rows, oldest first.

Options:
      --app <appId>           The app (optional when there is only one)
      --recipient <clientId>  Only notifications to this client
      --sender <clientId>     Only notifications from this client
      --since <time>          From this time: ISO 8601, epoch ms, or back from now (10m, 2h, 7d)
      --limit <n>             Rows to show at most (default 100)

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  app: { type: 'string' },
  recipient: { type: 'string' },
  sender: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** `switchboard notifications`. */
export const notificationsCommand: AdminCommand = {
  name: 'notifications',
  summary: 'the notification log: how each notify and nudge went, and why',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    if (positionals.length > 0) throw new AdminError(`unexpected argument: ${positionals[0]}`);
    const limit = parseCount('limit', values.limit, 100);
    const since = values.since !== undefined ? parseTime(values.since, Date.now()) : undefined;
    const config = adminConfig(values['data-dir'], env);
    return withStore(config, 'read', async (store) => {
      const app = await resolveApp(store, values.app);
      // Newest first from the store, so --limit keeps the latest; shown oldest first, like a log.
      const rows = (
        await collectPages(limit, (pageLimit, cursor) =>
          store.listNotifications({
            appId: app.id,
            limit: pageLimit,
            ...(values.recipient !== undefined ? { recipientClientId: values.recipient } : {}),
            ...(values.sender !== undefined ? { senderClientId: values.sender } : {}),
            ...(since !== undefined ? { since } : {}),
            ...(cursor !== undefined ? { cursor } : {}),
          }),
        )
      ).reverse();
      return {
        json: rows,
        text: formatTable(
          ['TIME', 'KIND', 'EVENT', 'FROM', 'TO', 'OUTCOME', 'DEVICES', 'CHANNEL', 'REASON'],
          rows.map((r) => [
            formatTime(r.timestamp),
            r.kind,
            r.event,
            r.senderClientId ?? '',
            r.recipientClientId,
            r.outcome,
            String(r.devices),
            r.channel,
            r.reason,
          ]),
        ),
      };
    });
  },
};
