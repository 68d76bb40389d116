import { parseArgs } from 'node:util';
import {
  FALLBACK_HEARTBEAT,
  heartbeatConfigFromSpec,
  type HeartbeatConfigRecord,
} from '@switchboard/server';
import {
  AdminError,
  COMMON_HELP,
  COMMON_OPTIONS,
  type AdminCommand,
  type CommandOutput,
} from './command.js';
import { adminConfig, withStore } from './store-access.js';
import { formatTable } from './table.js';

const HELP = `Usage: switchboard heartbeats list
       switchboard heartbeats set <channelType> --interval <ms> --timeout <ms>
       switchboard heartbeats remove <channelType>

SSE heartbeat interval and timeout per channel type: the part of a channel name before its
first ":" (\`organization\` for \`organization:acme\`). A stream over channels of several types
beats at the shortest of their intervals. A type without a row gets ${FALLBACK_HEARTBEAT.intervalMs} ms /
${FALLBACK_HEARTBEAT.timeoutMs} ms. A running server picks changes up within 2 seconds (at once when
made over its admin API, PUT /heartbeat-config/<channelType>).

  list      Every configured channel type
  set       Adds or replaces a type's row (interval from 100 ms; timeout at least the interval)
  remove    Removes a type's row; the type falls back to the default

Options:
      --interval <ms>   Time between heartbeat events
      --timeout <ms>    How long a client waits without one before it reconnects

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  interval: { type: 'string' },
  timeout: { type: 'string' },
} as const;

function list(rows: HeartbeatConfigRecord[]): CommandOutput {
  return {
    json: rows,
    text: formatTable(
      ['CHANNEL TYPE', 'INTERVAL MS', 'TIMEOUT MS'],
      rows.map((r) => [r.channelType, String(r.intervalMs), String(r.timeoutMs)]),
    ),
  };
}

/** A whole number of milliseconds, or the operator hears which flag is wrong. */
function millis(flag: string, value: string | undefined): number {
  if (value === undefined) throw new AdminError(`heartbeats set needs --${flag} <ms>`);
  if (!/^\d+$/.test(value)) throw new AdminError(`--${flag} must be a whole number of ms`);
  return Number(value);
}

/** `switchboard heartbeats list|set|remove`. */
export const heartbeatsCommand: AdminCommand = {
  name: 'heartbeats',
  summary: 'list, set or remove SSE heartbeat settings per channel type',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    const [action, ...rest] = positionals;
    const config = adminConfig(values['data-dir'], env);
    if (action === 'list' && rest.length === 0)
      return withStore(config, 'read', async (store) => list(await store.listHeartbeatConfig()));
    if (action === 'set' && rest.length === 1) {
      const record = heartbeatConfigFromSpec(rest[0]!, {
        intervalMs: millis('interval', values.interval),
        timeoutMs: millis('timeout', values.timeout),
      });
      return withStore(config, 'write', async (store) => {
        await store.saveHeartbeatConfig(record);
        return {
          json: record,
          text: `${record.channelType}: heartbeat every ${record.intervalMs} ms, timeout ${record.timeoutMs} ms`,
        };
      });
    }
    if (action === 'remove' && rest.length === 1) {
      const channelType = rest[0]!;
      return withStore(config, 'read', async (store) => {
        if (!(await store.deleteHeartbeatConfig(channelType)))
          throw new AdminError(`no heartbeat settings for channel type ${channelType}`);
        return {
          json: { removed: channelType },
          text: `removed ${channelType}: it now gets ${FALLBACK_HEARTBEAT.intervalMs} ms / ${FALLBACK_HEARTBEAT.timeoutMs} ms`,
        };
      });
    }
    if (action === 'set' || action === 'remove')
      throw new AdminError(`heartbeats ${action} needs one channel type`);
    throw new AdminError(
      action === undefined
        ? 'heartbeats needs list, set or remove'
        : `unknown heartbeats command: ${positionals.join(' ')}`,
    );
  },
};
