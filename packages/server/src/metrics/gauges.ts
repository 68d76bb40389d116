import type { EngineContext } from '../context.js';

/** What `/metrics` reports as gauges, read when scraped. */
export interface EngineGauges {
  /** Connections by wire format; `suspended` counts those waiting to resume without a socket. */
  connections: { json: number; msgpack: number; suspended: number };
  channels: number;
  presenceMembers: number;
  /** Bytes waiting in sockets' buffers, summed over connections. */
  outboundBufferedBytes: number;
}

/** Walks connections and channels once; a scrape every few seconds costs little. */
export function engineGauges(ctx: EngineContext): EngineGauges {
  const connections = { json: 0, msgpack: 0, suspended: 0 };
  let outboundBufferedBytes = 0;
  for (const s of ctx.connections.all()) {
    if (!s.transport) {
      connections.suspended++;
      continue;
    }
    connections[s.options.format]++;
    outboundBufferedBytes += s.transport.bufferedBytes();
  }
  let channels = 0;
  let presenceMembers = 0;
  for (const app of ctx.apps.list()) {
    for (const channel of ctx.channels.list(app.record.id)) {
      channels++;
      presenceMembers += channel.presence.size();
    }
  }
  return { connections, channels, presenceMembers, outboundBufferedBytes };
}
