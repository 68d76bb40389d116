import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('stats over %s', (format) => {
  const { server, track } = useServer();

  it('RSC6: stats count messages published and delivered in the current interval', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const got = collect<Ably.Message>();
    await rt.channels.get('stats:room').subscribe((m) => got.push(m));
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const before =
      (await rest.stats({ unit: 'hour' })).items[0]?.entries[
        'messages.inbound.all.messages.count'
      ] ?? 0;
    await rest.channels.get('stats:room').publish('a', 'x');
    await rt.channels.get('stats:room').publish('b', 'y');
    await got.until(2);
    const page = await rest.stats({ unit: 'hour', end: Date.now() });
    const current = page.items[0]!;
    expect(current.inProgress).toBeTypeOf('string');
    expect(current.intervalId).toMatch(/^\d{4}-\d{2}-\d{2}:\d{2}$/);
    expect(current.entries['messages.inbound.all.messages.count']! - before).toBe(2);
    expect(current.entries['messages.inbound.rest.messages.count']).toBeGreaterThanOrEqual(1);
    expect(current.entries['messages.outbound.all.messages.count']).toBeGreaterThanOrEqual(2);
  });
});
