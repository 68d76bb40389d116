import { payloadSize, type Message } from '@switchboard/protocol';
import type { StatsRecorder } from './stats-recorder.js';

/** Counts published messages and their bytes for the app's stats, by transport. */
export function recordInbound(
  stats: StatsRecorder,
  appId: string,
  transport: 'realtime' | 'rest',
  messages: readonly Message[],
  at: number,
): void {
  let data = 0;
  for (const m of messages) data += payloadSize(m.name, m.data, m.clientId, m.extras);
  stats.add(
    appId,
    {
      [`messages.inbound.${transport}.messages.count`]: messages.length,
      [`messages.inbound.${transport}.messages.data`]: data,
      'messages.inbound.all.messages.count': messages.length,
      'messages.inbound.all.messages.data': data,
    },
    at,
  );
}
