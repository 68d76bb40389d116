import type { Api } from './api.js';
import { byId } from './dom.js';
import { timeText } from './format.js';
import { createPager } from './pager.js';

interface EventRecord {
  channel: string;
  name?: string;
  serial: string;
  dataBytes: number;
  clientId?: string;
  source: string;
  timestamp: number;
}

const PAGE_SIZE = 20;

/**
 * The audit-log panel: `GET /apps/{appId}/events` (newest first), the app being the key's.
 * Loaded when the page opens and on "Show"; not on the refresh timer, so paging stays put.
 */
export function createAuditPanel(api: Api, appId: string): { load(): Promise<void> } {
  const pager = createPager<EventRecord>(api, {
    table: 'audit',
    columns: 7,
    firstButton: 'audit-first',
    olderButton: 'audit-older',
    position: 'audit-position',
    empty: 'No published messages logged',
    cells: (e) => [
      timeText(e.timestamp),
      e.channel,
      e.name ?? '',
      e.clientId ?? '',
      e.source,
      e.dataBytes,
      e.serial,
    ],
  });
  const load = (): Promise<void> => {
    const channel = byId<HTMLInputElement>('audit-channel').value.trim();
    const filter = channel ? `&channel=${encodeURIComponent(channel)}` : '';
    return pager.open(`/apps/${encodeURIComponent(appId)}/events?limit=${PAGE_SIZE}${filter}`);
  };
  byId<HTMLFormElement>('audit-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  return { load };
}
