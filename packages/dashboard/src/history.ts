import type { Api } from './api.js';
import { byId } from './dom.js';
import { clip, dataText, timeText } from './format.js';
import { createPager } from './pager.js';

interface HistoryMessage {
  id?: string;
  name?: string;
  clientId?: string;
  timestamp?: number;
  data?: unknown;
  encoding?: string;
}

const PAGE_SIZE = 20;

/**
 * The history browser: `GET /channels/{ch}/messages` (newest first, Ably's paging), so it shows
 * what the key may read (`history` capability) and what the channel keeps.
 */
export function createHistoryPanel(api: Api): void {
  const pager = createPager<HistoryMessage>(api, {
    table: 'history',
    columns: 5,
    firstButton: 'history-first',
    olderButton: 'history-older',
    position: 'history-position',
    empty: 'No messages in this channel’s history',
    cells: (m) => [
      m.id ?? '',
      m.name ?? '',
      m.clientId ?? '',
      timeText(m.timestamp),
      clip(dataText(m.data, m.encoding)),
    ],
  });
  byId<HTMLFormElement>('history-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const channel = byId<HTMLInputElement>('history-channel').value.trim();
    if (!channel) return;
    void pager.open(
      `/channels/${encodeURIComponent(channel)}/messages?limit=${PAGE_SIZE}&direction=backwards`,
    );
  });
}
