import { parseArgs } from 'node:util';
import {
  webhookRuleFromSpec,
  type AppRecord,
  type WebhookOutboxRecord,
  type WebhookRule,
} from '@switchboard/server';
import {
  AdminError,
  COMMON_HELP,
  COMMON_OPTIONS,
  type AdminCommand,
  type CommandOutput,
} from './command.js';
import { adminConfig, resolveApp, withStore } from './store-access.js';
import { formatTable } from './table.js';
import { formatTime, parseCount } from './time.js';

const HELP = `Usage: switchboard webhooks list [--app <appId>]
       switchboard webhooks add --url <url> [--source <source>]... [--channel-filter <regex>]
                                [--key <keyName>] [--id <id>] [--app <appId>]
       switchboard webhooks remove <ruleId> [--app <appId>]
       switchboard webhooks resume <ruleId> [--app <appId>]
       switchboard webhooks deliveries <ruleId> [--app <appId>] [--limit <n>]

  list      The app's webhook rules; a paused one shows when and why it was paused
  add       Adds a rule (or replaces the one with the same --id); sources default to
            channel.message. A running server picks it up within 2 seconds
  remove    Removes a rule; its batches still pending are dropped
  resume    Clears a rule's pause, so its events are sent again
  deliveries The rule's latest batches, newest first: pending, sent or failed, with their
            attempts and last error

Options:
      --app <appId>            The app (optional when there is only one)
      --url <url>              The endpoint (http or https) that receives the POSTs
      --source <source>        channel.message, channel.presence, channel.lifecycle or
                               channel.occupancy; repeat for several
      --channel-filter <regex> Only channels whose name matches
      --key <keyName>          The key that signs the requests (default: the app's first)
      --id <id>                The rule's id (default: random)
      --limit <n>              Deliveries to show at most (default 20)

${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  app: { type: 'string' },
  url: { type: 'string' },
  source: { type: 'string', multiple: true },
  'channel-filter': { type: 'string' },
  key: { type: 'string' },
  id: { type: 'string' },
  limit: { type: 'string' },
} as const;

function list(rules: WebhookRule[]): CommandOutput {
  return {
    json: rules.map((r) => ({ ...r, paused: r.paused ?? false })),
    text: formatTable(
      ['ID', 'URL', 'SOURCES', 'CHANNEL FILTER', 'KEY NAME', 'STATE'],
      rules.map((r) => [
        r.id,
        r.url,
        r.sources.join(','),
        r.channelFilter ?? '*',
        r.keyName,
        r.paused ? `paused ${formatTime(r.paused.at)}: ${r.paused.reason}` : 'active',
      ]),
    ),
  };
}

function deliveries(rows: WebhookOutboxRecord[]): CommandOutput {
  const shown = rows.map(({ batch, ...row }) => ({ ...row, ruleId: batch.ruleId }));
  return {
    json: shown,
    text: formatTable(
      ['ID', 'STATUS', 'ATTEMPTS', 'CREATED', 'UPDATED', 'LAST ERROR'],
      shown.map((r) => [
        r.id,
        r.status,
        String(r.attempts),
        formatTime(r.createdAt),
        formatTime(r.updatedAt),
        r.lastError ?? '',
      ]),
    ),
  };
}

function findRule(app: AppRecord, ruleId: string): WebhookRule {
  const rule = app.webhooks?.find((r) => r.id === ruleId);
  if (!rule) throw new AdminError(`no webhook rule ${ruleId} in app ${app.id}`);
  return rule;
}

/** `switchboard webhooks list|add|remove|resume`. */
export const webhooksCommand: AdminCommand = {
  name: 'webhooks',
  summary: 'list, add, remove or resume webhook rules',
  help: HELP,
  async run(args, env) {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    const [action, ...rest] = positionals;
    const config = adminConfig(values['data-dir'], env);
    if (action === 'list' && rest.length === 0) {
      return withStore(config, 'read', async (store) =>
        list((await resolveApp(store, values.app)).webhooks ?? []),
      );
    }
    if (action === 'add' && rest.length === 0) {
      if (values.url === undefined) throw new AdminError('webhooks add needs --url');
      return withStore(config, 'read', async (store) => {
        const app = await resolveApp(store, values.app);
        const rule = webhookRuleFromSpec(app, {
          url: values.url,
          ...(values.source ? { sources: values.source } : {}),
          ...(values['channel-filter'] !== undefined
            ? { channelFilter: values['channel-filter'] }
            : {}),
          ...(values.key !== undefined ? { keyName: values.key } : {}),
          ...(values.id !== undefined ? { id: values.id } : {}),
        });
        const others = (app.webhooks ?? []).filter((r) => r.id !== rule.id);
        await store.saveApp({ ...app, webhooks: [...others, rule] });
        return { json: rule, text: `added webhook rule ${rule.id} → ${rule.url}` };
      });
    }
    if ((action === 'remove' || action === 'resume') && rest.length === 1) {
      const ruleId = rest[0]!;
      return withStore(config, 'read', async (store) => {
        const app = await resolveApp(store, values.app);
        const rule = findRule(app, ruleId);
        const rules = app.webhooks ?? [];
        if (action === 'remove') {
          await store.saveApp({ ...app, webhooks: rules.filter((r) => r !== rule) });
          return {
            json: { removed: ruleId, appId: app.id },
            text: `removed webhook rule ${ruleId}`,
          };
        }
        const { paused: _paused, ...resumed } = rule;
        await store.saveApp({ ...app, webhooks: rules.map((r) => (r === rule ? resumed : r)) });
        return { json: resumed, text: `resumed webhook rule ${ruleId}` };
      });
    }
    if (action === 'deliveries' && rest.length === 1) {
      const limit = parseCount('limit', values.limit, 20);
      return withStore(config, 'read', async (store) => {
        const app = await resolveApp(store, values.app);
        const rule = findRule(app, rest[0]!);
        return deliveries(await store.listWebhookDeliveries(app.id, rule.id, limit));
      });
    }
    if (action === 'remove' || action === 'resume' || action === 'deliveries')
      throw new AdminError(`webhooks ${action} needs one rule id`);
    throw new AdminError(
      action === undefined
        ? 'webhooks needs list, add, remove, resume or deliveries'
        : `unknown webhooks command: ${positionals.join(' ')}`,
    );
  },
};
