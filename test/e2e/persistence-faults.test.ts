import { createMemoryStore, type Store } from '@switchboard/server';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

/** A store whose history commits fail while `failing` is set, as a full or read-only disk would. */
function storeThatCanFail(): { store: Store; failing: { on: boolean } } {
  const failing = { on: false };
  const inner = createMemoryStore();
  const store: Store = {
    ...inner,
    appendHistory: async (batch) => {
      if (failing.on) throw new Error('SQLITE_FULL: database or disk is full');
      return inner.appendHistory(batch);
    },
  };
  return { store, failing };
}

describe.each(FORMATS)('a store that cannot be written, over %s', (format) => {
  const { store, failing } = storeThatCanFail();
  const { server, track } = useServer({
    store,
    namespaces: [{ id: 'persisted', persisted: true }],
  });

  it('NACKs persisted publishes with 50001, delivers none of them, serves the rest, and recovers', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get(`persisted:faults-${format}`);
    const got = collect<string>();
    await channel.subscribe((m) => got.push(m.data as string));
    await channel.publish('e', 'stored-1');

    failing.on = true;
    await expect(channel.publish('e', 'lost')).rejects.toMatchObject({
      code: 50001,
      statusCode: 500,
    });
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    await expect(
      rest.channels.get(`persisted:faults-${format}`).publish('e', 'lost-rest'),
    ).rejects.toMatchObject({ code: 50001 });
    // Everything that does not need the store goes on.
    await rt.channels.get('plain').publish('e', 'fine');
    expect(rt.connection.state).toBe('connected');

    failing.on = false;
    await channel.publish('e', 'stored-2');
    // Only what was stored is in the audit log.
    const audited = await server().switchboard.engine.audit.events({
      appId: server().appId,
      channel: `persisted:faults-${format}`,
      limit: 100,
    });
    expect(audited.items).toHaveLength(2);
    expect(await got.until(2)).toEqual(['stored-1', 'stored-2']);
    const history = await rest.channels.get(`persisted:faults-${format}`).history();
    expect(history.items.map((m) => m.data)).toEqual(['stored-2', 'stored-1']);
  });
});

describe('bad history queries get 400 with an Ably code', () => {
  const { server } = useServer({ namespaces: [{ id: 'persisted', persisted: true }] });

  it.each([
    ['limit=abc', 40003],
    ['limit=5000', 40003],
    ['direction=sideways', 40003],
    ['start=2000&end=1000', 40003],
    ['start=soon', 40003],
  ])('GET history?%s', async (query, code) => {
    for (const channel of ['persisted:q', 'plain']) {
      const response = await fetch(
        `http://127.0.0.1:${server().port}/channels/${channel}/messages?${query}`,
        { headers: { authorization: `Basic ${Buffer.from(server().key).toString('base64')}` } },
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code } });
    }
  });
});
