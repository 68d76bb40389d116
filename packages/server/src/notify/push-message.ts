import type { PushPayload } from '../ports/push-sender.js';
import type { CatalogMessage } from './catalog.js';
import type { NotifyRequest } from './notify-request.js';

/**
 * The session a notification belongs to, for the app's deep link: `data.sessionId` when given,
 * else the id after a `session:` segment of the channel name (`app:session:{id}`).
 */
export function sessionIdOf(request: NotifyRequest): string | undefined {
  const data = request.data;
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const id = (data as Record<string, unknown>).sessionId;
    if (typeof id === 'string' && id !== '') return id;
  }
  return /(?:^|:)session:([^:]+)/.exec(request.channel)?.[1];
}

/**
 * The push for a recipient who is not present: the catalog's title and body, and in `data` what
 * the app needs to open the right screen (channel, event, session id, kind). The event's own data
 * stays on the channel: push payloads are small (4 KB on APNs) and travel through third parties.
 */
export function pushPayloadFor(request: NotifyRequest, message: CatalogMessage): PushPayload {
  const sessionId = sessionIdOf(request);
  return {
    notification: { title: message.title, body: message.body },
    data: {
      channel: request.channel,
      event: request.event,
      kind: request.kind,
      ...(sessionId === undefined ? {} : { sessionId }),
    },
  };
}
