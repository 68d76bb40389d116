import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('ephemeral messages over %s', (format) => {
  const { server, track } = useServer({ namespaces: [{ id: 'kept', persisted: true }] });

  it.each(['plain', 'kept:room'])(
    'on %s: delivered live, left out of history, rewind and the store',
    async (name) => {
      const publisher = track(new Ably.Realtime(realtimeOptions(server(), format)));
      const subscriber = track(new Ably.Realtime(realtimeOptions(server(), format)));
      const got = collect<Ably.InboundMessage>();
      await subscriber.channels.get(name).subscribe((m) => got.push(m));
      const channel = publisher.channels.get(name);
      await channel.publish({ name: 'typing.started', extras: { ephemeral: true } });
      await channel.publish({ name: 'kept', data: 'stays' });
      await channel.publish({
        name: 'roomReaction',
        data: { name: '🎉' },
        extras: { ephemeral: true },
      });
      const items = await got.until(3);
      expect(items.map((m) => m.name)).toEqual(['typing.started', 'kept', 'roomReaction']);

      const rest = new Ably.Rest(realtimeOptions(server(), format));
      const history = await rest.channels.get(name).history();
      expect(history.items.map((m) => m.name)).toEqual(['kept']);
      const late = track(new Ably.Realtime(realtimeOptions(server(), format)));
      const rewound = collect<Ably.InboundMessage>();
      await late.channels.get(name, { params: { rewind: '10' } }).subscribe((m) => rewound.push(m));
      await channel.publish({ name: 'last', data: 'x' });
      expect((await rewound.until(2)).map((m) => m.name)).toEqual(['kept', 'last']);
    },
  );
});
