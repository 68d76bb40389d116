import type { Api } from './api.js';
import { byId, row } from './dom.js';

interface ChannelDetails {
  channelId: string;
  status?: {
    occupancy?: {
      metrics?: { connections?: number; subscribers?: number; presenceMembers?: number };
    };
  };
}

interface PresenceMember {
  clientId?: string;
}

/** The channels panel: `GET /channels?by=value`, then occupancy and presence per channel. */
export interface ChannelsPanel {
  refresh(): Promise<void>;
}

/** Binds the channels table of index.html. */
export function createChannelsPanel(api: Api): ChannelsPanel {
  return {
    async refresh() {
      const listed = await api.json<ChannelDetails[]>('/channels?by=value&limit=50');
      const rows = await Promise.all(
        listed.map(async (c) => {
          const name = encodeURIComponent(c.channelId);
          // A key may list a channel without being allowed its presence: show `?`, not fail.
          const [details, members] = await Promise.all([
            api.json<ChannelDetails>(`/channels/${name}`).catch(() => c),
            api.json<PresenceMember[]>(`/channels/${name}/presence`).catch(() => undefined),
          ]);
          const m = details.status?.occupancy?.metrics ?? {};
          const who = (members ?? []).map((p) => p.clientId ?? '?').join(', ');
          const tr = row([
            c.channelId,
            m.connections ?? 0,
            m.subscribers ?? 0,
            members ? `${members.length}${who ? ` (${who})` : ''}` : '?',
          ]);
          tr.dataset.channel = c.channelId;
          return tr;
        }),
      );
      byId('channels')
        .querySelector('tbody')!
        .replaceChildren(...rows);
    },
  };
}
