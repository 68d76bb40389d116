import type { Message } from '@switchboard/protocol';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { StatsRecorder } from './stats-recorder.js';

/** Counts published messages and their payload bytes for the app's stats, by transport. */
export function recordInbound(
  ctx: { stats: StatsRecorder; metrics: EngineMetrics },
  appId: string,
  transport: 'realtime' | 'rest',
  messages: readonly Message[],
  at: number,
): void {
  let bytes = 0;
  for (const m of messages) {
    const d = m.data;
    if (typeof d === 'string') bytes += Buffer.byteLength(d);
    else if (d) bytes += d.byteLength;
  }
  ctx.stats.countInbound(appId, transport, messages.length, bytes, at);
  ctx.metrics.messagesIn += messages.length;
}
