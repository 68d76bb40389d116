import { toJsonView, type Message, type PresenceMessage } from '@switchboard/protocol';
import type { WebhookSource } from '../ports/webhook-outbox.js';

/**
 * One event as collected on the hot path: references to what the channel already built, so
 * collecting costs one small object; the JSON view is made when the batch is written.
 */
export type WebhookEvent =
  | { source: 'channel.message'; channel: string; serial: string; at: number; messages: Message[] }
  | {
      source: 'channel.presence';
      channel: string;
      serial: string;
      at: number;
      presence: PresenceMessage[];
    }
  | {
      source: 'channel.lifecycle';
      channel: string;
      serial: string;
      at: number;
      name: 'channel.opened' | 'channel.closed';
    }
  | {
      source: 'channel.occupancy';
      channel: string;
      serial: string;
      at: number;
      occupancy: { subscribers: number; presenceMembers: number };
    };

/** One item of Ably's enveloped batch: `{ webhookId, source, serial, timestamp, name, data }`. */
export interface WebhookItem {
  webhookId: string;
  source: WebhookSource;
  serial: string;
  timestamp: number;
  name: string;
  data: Record<string, unknown>;
}

function itemData(event: WebhookEvent, site: string): Record<string, unknown> {
  const base = { channelId: event.channel, site };
  switch (event.source) {
    case 'channel.message':
      // Binary payloads become base64 text with `base64` in their encoding, as JSON carries them.
      return { ...base, messages: toJsonView({ messages: event.messages }).messages };
    case 'channel.presence':
      return { ...base, presence: toJsonView({ presence: event.presence }).presence };
    case 'channel.lifecycle':
      return { ...base, name: event.name, status: { isChannel: true } };
    case 'channel.occupancy':
      return {
        ...base,
        name: '[meta]occupancy',
        status: { occupancy: { metrics: event.occupancy } },
      };
  }
}

/** The enveloped JSON body of one batch, as Ably posts it: `{ items: [...] }`. */
export function envelopeBody(
  webhookId: string,
  site: string,
  events: readonly WebhookEvent[],
): string {
  const items: WebhookItem[] = events.map((event) => ({
    webhookId,
    source: event.source,
    serial: event.serial,
    timestamp: event.at,
    name: event.source === 'channel.lifecycle' ? event.name : event.source,
    data: itemData(event, site),
  }));
  return JSON.stringify({ items });
}
