import type { Api } from './api.js';
import { byId, messageRow, row, tbody } from './dom.js';
import { clip, timeText } from './format.js';

interface WebhookRule {
  id: string;
  url: string;
  sources: string[];
  channelFilter?: string;
  keyName: string;
  paused: false | { at: number; reason: string };
}

interface Delivery {
  status: string;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  items?: number;
  lastError?: string;
}

const DELIVERIES_PER_RULE = 5;
const MAX_RULES = 20;

function deliveriesList(deliveries: Delivery[]): HTMLElement {
  if (deliveries.length === 0)
    return Object.assign(document.createElement('span'), { textContent: 'none yet' });
  const list = document.createElement('ul');
  list.className = 'deliveries';
  for (const d of deliveries) {
    const li = document.createElement('li');
    li.dataset.status = d.status;
    const items = d.items === undefined ? '' : `, ${d.items} item${d.items === 1 ? '' : 's'}`;
    const error = d.lastError ? ` — ${clip(d.lastError, 120)}` : '';
    li.textContent = `${d.status} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${items}, ${timeText(d.updatedAt)}${error}`;
    list.append(li);
  }
  return list;
}

/**
 * The webhook panel: the key's app's rules (`GET /apps/{id}/webhooks`) and each rule's last
 * deliveries (`GET /apps/{id}/webhooks/{rule}/deliveries`); read-only, refreshed on the timer.
 */
export function createWebhooksPanel(api: Api, appId: string): { refresh(): Promise<void> } {
  const base = `/apps/${encodeURIComponent(appId)}/webhooks`;
  return {
    async refresh() {
      const rules = (await api.json<WebhookRule[]>(base)).slice(0, MAX_RULES);
      const rows = await Promise.all(
        rules.map(async (rule) => {
          const deliveries = await api
            .json<Delivery[]>(
              `${base}/${encodeURIComponent(rule.id)}/deliveries?limit=${DELIVERIES_PER_RULE}`,
            )
            .catch(() => []);
          const tr = row([
            rule.id,
            rule.channelFilter ?? '(all channels)',
            rule.sources.join(', '),
            rule.url,
            rule.paused ? `paused ${timeText(rule.paused.at)}: ${rule.paused.reason}` : 'active',
            deliveriesList(deliveries),
          ]);
          tr.dataset.rule = rule.id;
          return tr;
        }),
      );
      tbody('webhooks').replaceChildren(
        ...(rows.length ? rows : [messageRow('No webhook rules', 6)]),
      );
      byId('webhooks-app').textContent = appId;
    },
  };
}
