import { ChatClient, MessageReactionType, type MessageReactionSummaryEvent } from '@ably/chat';
import { createMemoryStore, type Store } from '@switchboard/server';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

const MODES: Ably.ChannelMode[] = [
  'PUBLISH',
  'SUBSCRIBE',
  'ANNOTATION_PUBLISH',
  'ANNOTATION_SUBSCRIBE',
];

const distinct = (byName: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(byName).map(([name, clientIds]) => [
      name,
      { total: clientIds.length, clientIds, clipped: false },
    ]),
  );

describe.each(FORMATS)('annotations of persisted channels across a restart over %s', (format) => {
  const { server, track } = useServer({
    sqlite: true,
    persistAllChannels: true,
    namespaces: [{ id: 'mutable', mutableMessages: true }],
    // A short in-memory log, so older messages are in the store only.
    limits: { historyMinMessages: 2, historyMaxMessages: 3 },
  });
  const realtime = (clientId: string) =>
    track(new Ably.Realtime(realtimeOptions(server(), format, { clientId })));
  const rest = () => new Ably.Rest(realtimeOptions(server(), format));

  /** Every annotation of a message, page by page. */
  const allAnnotations = async (channel: string, serial: string, limit: number) => {
    let page = await rest().channels.get(channel).annotations.get(serial, { limit });
    const pages = [page.items];
    while (page.hasNext()) {
      page = (await page.next())!;
      pages.push(page.items);
    }
    return pages;
  };

  it('ACKed annotations and the summary survive restart(): getMessage, history and annotations.get', async () => {
    const name = `mutable:restart-${format}`;
    const alice = realtime('alice').channels.get(name, { modes: MODES });
    const bob = realtime('bob').channels.get(name, { modes: MODES });
    const { serials } = await alice.publish('message', 'hello');
    const serial = serials[0]!;
    await alice.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '👍' });
    await bob.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '👍' });
    await bob.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '🎉' });
    await alice.annotations.publish(serial, { type: 'reaction:multiple.v1', name: '❤️', count: 2 });
    const expected = {
      'reaction:distinct.v1': distinct({ '👍': ['alice', 'bob'], '🎉': ['bob'] }),
      'reaction:multiple.v1': {
        '❤️': {
          total: 2,
          clientIds: { alice: 2 },
          totalUnidentified: 0,
          clipped: false,
          totalClientIds: 1,
        },
      },
    };
    expect((await rest().channels.get(name).getMessage(serial)).annotations?.summary).toEqual(
      expected,
    );

    await server().restart();

    const after = rest().channels.get(name);
    expect((await after.getMessage(serial)).annotations?.summary).toEqual(expected);
    const [latest] = (await after.history({ limit: 1 })).items;
    expect(latest!.serial).toBe(serial);
    expect(latest!.annotations?.summary).toEqual(expected);
    const pages = await allAnnotations(name, serial, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 1]);
    const flat = pages.flat();
    expect(flat.map((a) => [a.clientId, a.name, a.type])).toEqual([
      ['alice', '👍', 'reaction:distinct.v1'],
      ['bob', '👍', 'reaction:distinct.v1'],
      ['bob', '🎉', 'reaction:distinct.v1'],
      ['alice', '❤️', 'reaction:multiple.v1'],
    ]);
    expect(flat.every((a) => a.messageSerial === serial && a.action === 'annotation.create')).toBe(
      true,
    );
    expect(flat.map((a) => a.serial)).toEqual([...flat.map((a) => a.serial)].sort());

    // A new annotation after the restart adds to the stored summary, rebuilt from the store.
    const carol = realtime('carol').channels.get(name, { modes: MODES });
    const summaries = collect<Ably.InboundMessage>();
    await carol.subscribe((m) => {
      if (m.action === 'message.summary') summaries.push(m);
    });
    await carol.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '🎉' });
    const [live] = await summaries.until(1);
    expect(live!.serial).toBe(serial);
    expect(live!.annotations.summary['reaction:distinct.v1']).toEqual(
      distinct({ '👍': ['alice', 'bob'], '🎉': ['bob', 'carol'] }),
    );
    await server().restart();
    const twice = await rest().channels.get(name).getMessage(serial);
    expect(twice.annotations?.summary['reaction:distinct.v1']).toEqual(
      distinct({ '👍': ['alice', 'bob'], '🎉': ['bob', 'carol'] }),
    );
    expect((await allAnnotations(name, serial, 100)).flat()).toHaveLength(5);
  });

  it('RTL4: a rewind after restart() gives the message with its stored summary', async () => {
    const name = `mutable:rewind-${format}`;
    const writer = realtime('jo').channels.get(name, { modes: MODES });
    const { serials } = await writer.publish('m', 'rewound');
    await writer.annotations.publish(serials[0]!, { type: 'reaction:total.v1' });
    await writer.annotations.publish(serials[0]!, { type: 'reaction:total.v1' });
    await server().restart();
    const got = collect<Ably.InboundMessage>();
    const reader = realtime('kim').channels.get(name, { params: { rewind: '1' } });
    await reader.subscribe((m) => got.push(m));
    const [message] = await got.until(1);
    expect(message!.data).toBe('rewound');
    expect(message!.annotations?.summary).toEqual({ 'reaction:total.v1': { total: 2 } });
  });

  it('a message only the store holds (older than the in-memory log) can be annotated; an unknown one is 40400', async () => {
    const name = `mutable:old-${format}`;
    const channel = realtime('dora').channels.get(name, { modes: MODES });
    const { serials } = await channel.publish(
      Array.from({ length: 8 }, (_, i) => ({ name: 'm', data: `m${i}` })),
    );
    // Eight more writes push the first batch out of the three-entry in-memory log.
    for (let i = 0; i < 8; i++) await channel.publish('later', `l${i}`);
    const oldest = serials[0]!;
    await channel.annotations.publish(oldest, { type: 'reaction:flag.v1' });
    const message = await rest().channels.get(name).getMessage(oldest);
    expect(message.data).toBe('m0');
    expect(message.annotations?.summary).toEqual({
      'reaction:flag.v1': { total: 1, clientIds: ['dora'], clipped: false },
    });
    expect((await allAnnotations(name, oldest, 10)).flat().map((a) => a.clientId)).toEqual([
      'dora',
    ]);

    // A serial of this channel at a position that holds no message.
    const missing = `${oldest.slice(0, oldest.lastIndexOf(':'))}:99`;
    const refused = await channel.annotations.publish(missing, { type: 'reaction:flag.v1' }).then(
      () => undefined,
      (err: Ably.ErrorInfo) => err,
    );
    expect(refused?.code).toBe(40400);
    expect((await allAnnotations(name, missing, 10)).flat()).toEqual([]);
  });

  it('@ably/chat: message reactions and their summary survive restart(), and new ones add to them', async () => {
    const roomName = `reactions-${format}`;
    const chat = (clientId: string) =>
      new ChatClient(realtime(clientId), { logLevel: 'silent' as never });
    const openRoom = async (clientId: string) => {
      const room = await chat(clientId).rooms.get(roomName);
      await room.attach();
      return room;
    };
    const alice = await openRoom('alice');
    const bob = await openRoom('bob');
    const sent = await alice.messages.send({ text: 'react to me' });
    await bob.messages.reactions.send(sent.serial, { name: '👍' });
    await alice.messages.reactions.send(sent.serial, { name: '👍' });
    await bob.messages.reactions.send(sent.serial, {
      name: '❤️',
      type: MessageReactionType.Multiple,
      count: 3,
    });
    await alice.messages.reactions.send(sent.serial, {
      name: '👀',
      type: MessageReactionType.Unique,
    });

    await server().restart();

    const carol = await openRoom('carol');
    const fetched = await carol.messages.get(sent.serial);
    expect(fetched.text).toBe('react to me');
    expect(fetched.reactions.distinct['👍']).toEqual({
      total: 2,
      clientIds: ['bob', 'alice'],
      clipped: false,
    });
    expect(fetched.reactions.multiple['❤️']!.clientIds).toEqual({ bob: 3 });
    expect(fetched.reactions.unique['👀']!.clientIds).toEqual(['alice']);
    const history = await carol.messages.history({ limit: 10 });
    expect(history.items.map((m) => m.serial)).toEqual([sent.serial]);
    expect(history.items[0]!.reactions.distinct['👍']!.total).toBe(2);
    expect(
      (await carol.messages.reactions.clientReactions(sent.serial, 'bob')).multiple['❤️'],
    ).toMatchObject({ total: 3 });

    const summary = new Promise<MessageReactionSummaryEvent>((resolve) => {
      const sub = carol.messages.reactions.subscribe((event) => {
        if (event.reactions.distinct['👍']?.total !== 3) return;
        sub.unsubscribe();
        resolve(event);
      });
    });
    await carol.messages.reactions.send(sent.serial, { name: '👍' });
    const event = await summary;
    expect(event.reactions.distinct['👍']!.clientIds).toEqual(['bob', 'alice', 'carol']);
    expect(event.reactions.multiple['❤️']!.total).toBe(3);
  });
});

describe('annotations of a persisted channel past the in-memory bound', () => {
  const { server, track } = useServer({
    sqlite: true,
    persistAllChannels: true,
    namespaces: [{ id: 'mutable', mutableMessages: true }],
    // The channel keeps two messages' summaries in memory; others are read back from the store.
    limits: { maxAnnotationsPerChannel: 2 },
  });

  it('a summary dropped from memory is rebuilt from the store when its message is annotated again', async () => {
    const name = 'mutable:evicted';
    const channel = (clientId: string) =>
      track(new Ably.Realtime(realtimeOptions(server(), 'json', { clientId }))).channels.get(name, {
        modes: MODES,
      });
    const erin = channel('erin');
    const frank = channel('frank');
    const { serials } = await erin.publish([
      { name: 'a', data: 'a' },
      { name: 'b', data: 'b' },
      { name: 'c', data: 'c' },
    ]);
    for (const serial of serials)
      await erin.annotations.publish(serial!, { type: 'reaction:distinct.v1', name: '👍' });
    // The first message's state was dropped for the third's: this one is counted with the stored.
    await frank.annotations.publish(serials[0]!, { type: 'reaction:distinct.v1', name: '👍' });
    const rest = new Ably.Rest(realtimeOptions(server(), 'json'));
    const first = await rest.channels.get(name).getMessage(serials[0]!);
    expect(first.annotations?.summary).toEqual({
      'reaction:distinct.v1': distinct({ '👍': ['erin', 'frank'] }),
    });
    const third = await rest.channels.get(name).getMessage(serials[2]!);
    expect(third.annotations?.summary).toEqual({
      'reaction:distinct.v1': distinct({ '👍': ['erin'] }),
    });
  });
});

/** A store whose annotation commits fail while `failing` is set, as a full disk would. */
function storeThatCanFail(): { store: Store; failing: { on: boolean } } {
  const failing = { on: false };
  const inner = createMemoryStore();
  const store: Store = {
    ...inner,
    appendAnnotations: async (batch) => {
      if (failing.on) throw new Error('SQLITE_FULL: database or disk is full');
      return inner.appendAnnotations(batch);
    },
  };
  return { store, failing };
}

describe('annotations of a persisted channel when the store cannot be written', () => {
  const { store, failing } = storeThatCanFail();
  const { server, track } = useServer({
    store,
    persistAllChannels: true,
    namespaces: [{ id: 'mutable', mutableMessages: true }],
  });

  it('NACKs them with 50001, shows none of them, and the summary counts only stored ones after', async () => {
    const name = 'mutable:faults';
    const open = (clientId: string) =>
      track(new Ably.Realtime(realtimeOptions(server(), 'json', { clientId }))).channels.get(name, {
        modes: MODES,
      });
    const gail = open('gail');
    const watcher = open('watcher');
    const seen = collect<Ably.Annotation>();
    await watcher.annotations.subscribe((a) => seen.push(a));
    const { serials } = await gail.publish('m', 'react');
    const serial = serials[0]!;
    await gail.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '👍' });

    failing.on = true;
    await expect(
      gail.annotations.publish(serial, { type: 'reaction:distinct.v1', name: '👎' }),
    ).rejects.toMatchObject({ code: 50001, statusCode: 500 });
    const rest = new Ably.Rest(realtimeOptions(server(), 'json', { clientId: 'hal' }));
    await expect(
      rest.channels
        .get(name)
        .annotations.publish(serial, { type: 'reaction:distinct.v1', name: '👎' }),
    ).rejects.toMatchObject({ code: 50001 });

    failing.on = false;
    await open('ivy').annotations.publish(serial, { type: 'reaction:distinct.v1', name: '🎉' });
    expect((await seen.until(2)).map((a) => [a.clientId, a.name])).toEqual([
      ['gail', '👍'],
      ['ivy', '🎉'],
    ]);
    const message = await rest.channels.get(name).getMessage(serial);
    expect(message.annotations?.summary).toEqual({
      'reaction:distinct.v1': distinct({ '👍': ['gail'], '🎉': ['ivy'] }),
    });
    const stored = await rest.channels.get(name).annotations.get(serial, {});
    expect(stored.items.map((a) => a.name)).toEqual(['👍', '🎉']);
  });
});
