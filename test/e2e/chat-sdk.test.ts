import {
  ChatClient,
  ChatMessageEventType,
  ConnectionStatus,
  MessageReactionType,
  OrderBy,
  type ChatMessageEvent,
  type MessageReactionRawEvent,
  type MessageReactionSummaryEvent,
  type OccupancyEvent,
  type PresenceEvent,
  type Room,
  type RoomReactionEvent,
  type TypingSetEvent,
} from '@ably/chat';
import { createHmac } from 'node:crypto';
import type { TestKey } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, connectionState, realtimeOptions, useServer } from './helpers.js';

/** Resolves with the first event a subscription hands over that satisfies `test`. */
function eventWhere<T>(
  subscribe: (listener: (event: T) => void) => { unsubscribe(): void },
  test: (event: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching event')), timeoutMs);
    const sub = subscribe((event) => {
      if (!test(event)) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(event);
    });
  });
}

/** An Ably JWT for `clientId` with extra claims, signed with the key's secret as a backend would. */
function mintJwt(key: TestKey, clientId: string, extra: Record<string, string>): string {
  const iat = Math.floor(Date.now() / 1000);
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ typ: 'JWT', alg: 'HS256', kid: key.keyName })}.${part({
    iat,
    exp: iat + 3600,
    'x-ably-capability': JSON.stringify({ '*': ['*'] }),
    'x-ably-clientId': clientId,
    ...extra,
  })}`;
  return `${input}.${createHmac('sha256', key.secret).update(input).digest('base64url')}`;
}

const ROOM_OPTIONS = {
  presence: { enableEvents: true },
  occupancy: { enableEvents: true },
  typing: { heartbeatThrottleMs: 1000 },
  messages: { rawMessageReactions: true },
};

describe.each(FORMATS)('the official Chat SDK (@ably/chat) over %s', (format) => {
  const { server, track } = useServer({
    limits: { occupancyEventIntervalMs: 100 },
    // A room granted by its bare name, as Ably's chat docs write it, covers its ::$chat channel.
    keys: [undefined, { 'granted-room': ['*'] }],
  });

  /** A chat client for `clientId` (with the full key unless another is given). */
  const chatClient = (clientId: string, key?: string): ChatClient => {
    const realtime = track(
      new Ably.Realtime(realtimeOptions(server(), format, { clientId, ...(key ? { key } : {}) })),
    );
    return new ChatClient(realtime, { logLevel: 'silent' as never });
  };

  const openRoom = async (client: ChatClient, name: string): Promise<Room> => {
    const room = await client.rooms.get(name, ROOM_OPTIONS);
    await room.attach();
    return room;
  };

  it('two users exchange messages, see each other typing, present and reacting, edit, delete and read history', async () => {
    const roomName = `room-${format}`;
    const alice = chatClient('alice');
    const bob = chatClient('bob');
    const roomA = await openRoom(alice, roomName);
    const roomB = await openRoom(bob, roomName);
    expect(alice.connection.status).toBe(ConnectionStatus.Connected);

    // Messages both ways.
    const seenByBob = collect<ChatMessageEvent>();
    roomB.messages.subscribe((e) => seenByBob.push(e));
    const seenByAlice = collect<ChatMessageEvent>();
    roomA.messages.subscribe((e) => seenByAlice.push(e));
    const sent = await roomA.messages.send({
      text: 'hello bob',
      metadata: { mood: 'happy' },
      headers: { lang: 'en' },
    });
    expect([sent.text, sent.clientId, sent.metadata, sent.headers]).toEqual([
      'hello bob',
      'alice',
      { mood: 'happy' },
      { lang: 'en' },
    ]);
    const [created] = await seenByBob.until(1);
    expect(created!.type).toBe(ChatMessageEventType.Created);
    expect([created!.message.text, created!.message.serial]).toEqual(['hello bob', sent.serial]);
    await roomB.messages.send({ text: 'hi alice' });
    expect((await seenByAlice.until(2))[1]!.message.text).toBe('hi alice');

    // Typing.
    const typing = eventWhere<TypingSetEvent>(
      (l) => roomB.typing.subscribe(l),
      (e) => e.currentlyTyping.has('alice'),
    );
    await roomA.typing.keystroke();
    await typing;
    const stopped = eventWhere<TypingSetEvent>(
      (l) => roomB.typing.subscribe(l),
      (e) => !e.currentlyTyping.has('alice'),
    );
    await roomA.typing.stop();
    await stopped;

    // Presence.
    const entered = eventWhere<PresenceEvent>(
      (l) => roomA.presence.subscribe(l),
      (e) => e.member.clientId === 'bob',
    );
    await roomB.presence.enter({ status: 'here' });
    expect((await entered).member.data).toEqual({ status: 'here' });
    expect((await roomA.presence.get()).map((m) => m.clientId)).toEqual(['bob']);

    // Room reactions.
    const reaction = eventWhere<RoomReactionEvent>(
      (l) => roomA.reactions.subscribe(l),
      () => true,
    );
    await roomB.reactions.send({ name: '🎉' });
    expect((await reaction).reaction).toMatchObject({ name: '🎉', clientId: 'bob' });

    // Message reactions: summaries, raw events, per-client reactions.
    const raw = eventWhere<MessageReactionRawEvent>(
      (l) => roomA.messages.reactions.subscribeRaw(l),
      (e) => e.reaction.clientId === 'bob',
    );
    const summary = eventWhere<MessageReactionSummaryEvent>(
      (l) => roomA.messages.reactions.subscribe(l),
      (e) => (e.reactions.distinct['👍']?.total ?? 0) === 1,
    );
    await roomB.messages.reactions.send(sent.serial, { name: '👍' });
    expect((await raw).reaction).toMatchObject({ name: '👍', type: MessageReactionType.Distinct });
    const summarised = await summary;
    expect(summarised.messageSerial).toBe(sent.serial);
    expect(summarised.reactions.distinct['👍']!.clientIds).toEqual(['bob']);
    const multiple = eventWhere<MessageReactionSummaryEvent>(
      (l) => roomA.messages.reactions.subscribe(l),
      (e) => e.reactions.multiple['❤️']?.total === 3,
    );
    await roomB.messages.reactions.send(sent.serial, {
      name: '❤️',
      type: MessageReactionType.Multiple,
      count: 3,
    });
    expect((await multiple).reactions.multiple['❤️']!.clientIds).toEqual({ bob: 3 });
    const unique = eventWhere<MessageReactionSummaryEvent>(
      (l) => roomA.messages.reactions.subscribe(l),
      (e) => e.reactions.unique['👎']?.total === 1 && !e.reactions.unique['👀'],
    );
    await roomA.messages.reactions.send(sent.serial, {
      name: '👀',
      type: MessageReactionType.Unique,
    });
    await roomA.messages.reactions.send(sent.serial, {
      name: '👎',
      type: MessageReactionType.Unique,
    });
    await unique;
    const mine = await roomA.messages.reactions.clientReactions(sent.serial, 'bob');
    expect(Object.keys(mine.distinct)).toEqual(['👍']);
    expect(mine.multiple['❤️']!.clientIds).toEqual({ bob: 3 });
    const removed = eventWhere<MessageReactionSummaryEvent>(
      (l) => roomA.messages.reactions.subscribe(l),
      (e) => !e.reactions.distinct['👍'],
    );
    await roomB.messages.reactions.delete(sent.serial, { name: '👍' });
    await removed;
    const fetched = await roomB.messages.get(sent.serial);
    expect(fetched.reactions.multiple['❤️']!.total).toBe(3);

    // Edit, delete and versions.
    const updated = await roomA.messages.update(
      sent.serial,
      { text: 'hello bob (edited)', metadata: { mood: 'calm' } },
      { description: 'typo' },
    );
    expect([updated.text, updated.version.description, updated.serial]).toEqual([
      'hello bob (edited)',
      'typo',
      sent.serial,
    ]);
    expect(updated.version.serial > sent.serial).toBe(true);
    const update = (await seenByBob.until(3))[2]!;
    expect([update.type, update.message.text]).toEqual([
      ChatMessageEventType.Updated,
      'hello bob (edited)',
    ]);
    expect(update.message.timestamp.getTime()).toBe(sent.timestamp.getTime());
    const deleted = await roomA.messages.delete(sent.serial, { description: 'oops' });
    expect(deleted.action).toBe('message.delete');
    expect((await seenByBob.until(4))[3]!.type).toBe(ChatMessageEventType.Deleted);
    const versions = await roomB.messages.getVersions(sent.serial);
    expect(versions.items.map((m) => [m.action, m.text])).toEqual([
      ['message.create', 'hello bob'],
      ['message.update', 'hello bob (edited)'],
      ['message.delete', ''],
    ]);

    // History: both directions; the deleted message stays, typing and room reactions do not.
    const newest = await roomB.messages.history({ orderBy: OrderBy.NewestFirst, limit: 10 });
    expect(newest.items.map((m) => [m.text, m.action])).toEqual([
      ['hi alice', 'message.create'],
      ['', 'message.delete'],
    ]);
    const oldest = await roomB.messages.history({ orderBy: OrderBy.OldestFirst, limit: 10 });
    expect(oldest.items.map((m) => m.serial)).toEqual([sent.serial, newest.items[0]!.serial]);
  });

  it('history pages forwards and backwards, and historyBeforeSubscribe stops at the subscription point', async () => {
    const alice = chatClient('pager');
    const room = await openRoom(alice, `paging-${format}`);
    const texts = Array.from({ length: 7 }, (_, i) => `m${i}`);
    for (const text of texts) await room.messages.send({ text });
    const read = async (orderBy: OrderBy): Promise<string[]> => {
      let page = await room.messages.history({ orderBy, limit: 3 });
      const all = page.items.map((m) => m.text);
      while (page.hasNext()) {
        page = (await page.next())!;
        all.push(...page.items.map((m) => m.text));
      }
      return all;
    };
    expect(await read(OrderBy.OldestFirst)).toEqual(texts);
    expect(await read(OrderBy.NewestFirst)).toEqual([...texts].reverse());

    const { historyBeforeSubscribe } = room.messages.subscribe(() => {});
    await room.messages.send({ text: 'after' });
    const before = await historyBeforeSubscribe({ limit: 10 });
    expect(before.items.map((m) => m.text)).toEqual([...texts].reverse());
  });

  it('occupancy: events and get() follow connections and presence members', async () => {
    const roomName = `occupancy-${format}`;
    const watcher = chatClient('watcher');
    const room = await watcher.rooms.get(roomName, ROOM_OPTIONS);
    const first = eventWhere<OccupancyEvent>(
      (l) => room.occupancy.subscribe(l),
      (e) => e.occupancy.connections === 1,
    );
    await room.attach();
    await first;
    const joined = eventWhere<OccupancyEvent>(
      (l) => room.occupancy.subscribe(l),
      (e) => e.occupancy.connections === 2 && e.occupancy.presenceMembers === 1,
    );
    const guest = chatClient('guest');
    const guestRoom = await openRoom(guest, roomName);
    await guestRoom.presence.enter();
    await joined;
    expect(await room.occupancy.get()).toEqual({ connections: 2, presenceMembers: 1 });
    expect(room.occupancy.current).toEqual({ connections: 2, presenceMembers: 1 });
  });

  it('a capability naming the bare room covers the room; other rooms are refused', async () => {
    const key = server().keys[1]!.keyStr;
    const client = chatClient('granted', key);
    const room = await openRoom(client, 'granted-room');
    const sent = await room.messages.send({ text: 'allowed' });
    expect((await room.messages.get(sent.serial)).text).toBe('allowed');
    const other = await client.rooms.get('other-room', ROOM_OPTIONS);
    await expect(other.attach()).rejects.toMatchObject({ code: 40160 });
    await expect(other.messages.send({ text: 'no' })).rejects.toMatchObject({
      code: 40160,
      statusCode: 401,
    });
  });

  it('connection status follows the realtime connection', async () => {
    const client = chatClient('status');
    const realtime = client.realtime;
    await connectionState(realtime, 'connected');
    expect(client.connection.status).toBe(ConnectionStatus.Connected);
    const closed = new Promise<void>((resolve) =>
      client.connection.onStatusChange((change) => {
        if (change.current === ConnectionStatus.Closed) resolve();
      }),
    );
    realtime.close();
    await closed;
  });

  it('a unique reaction is removed without naming it; a repeated idempotencyKey sends once', async () => {
    const client = chatClient('uniq');
    const room = await openRoom(client, `uniq-${format}`);
    const sent = await room.messages.send({ text: 'vote' });
    const voted = eventWhere<MessageReactionSummaryEvent>(
      (l) => room.messages.reactions.subscribe(l),
      (e) => e.reactions.unique['✅']?.total === 1,
    );
    await room.messages.reactions.send(sent.serial, {
      name: '✅',
      type: MessageReactionType.Unique,
    });
    await voted;
    const cleared = eventWhere<MessageReactionSummaryEvent>(
      (l) => room.messages.reactions.subscribe(l),
      (e) => Object.keys(e.reactions.unique).length === 0,
    );
    await room.messages.reactions.delete(sent.serial, { type: MessageReactionType.Unique });
    await cleared;

    const path = `/chat/v4/rooms/uniq-${format}/messages`;
    const once = await client.realtime.request(
      'POST',
      path,
      4,
      { idempotencyKey: 'k-1' },
      { text: 'once' },
    );
    const twice = await client.realtime.request(
      'POST',
      path,
      4,
      { idempotencyKey: 'k-1' },
      { text: 'once' },
    );
    expect([once.statusCode, twice.statusCode]).toEqual([201, 201]);
    const first = once.items[0] as { serial: string };
    expect((twice.items[0] as { serial: string }).serial).toBe(first.serial);
    const history = await room.messages.history({ limit: 10 });
    expect(history.items.map((m) => m.text)).toEqual(['once', 'vote']);
  });

  it('CHA-M2h: an ably.room.<room> JWT claim becomes userClaim on messages, reactions, presence and typing; a forged one is dropped', async () => {
    const roomName = `claims-${format}`;
    const jwt = mintJwt(server().keys[0]!, 'claimer', { [`ably.room.${roomName}`]: 'vip' });
    const realtime = track(
      new Ably.Realtime({
        ...realtimeOptions(server(), format),
        key: undefined,
        authCallback: (_params, callback) => callback(null, jwt),
      } as Ably.ClientOptions),
    );
    const claimer = new ChatClient(realtime, { logLevel: 'silent' as never });
    const watcher = chatClient('watcher-claims');
    const mine = await openRoom(claimer, roomName);
    const theirs = await openRoom(watcher, roomName);
    const received = collect<ChatMessageEvent>();
    theirs.messages.subscribe((e) => received.push(e));

    const sent = await mine.messages.send({ text: 'with claim' });
    expect(sent.userClaim).toBe('vip');
    expect((await received.until(1))[0]!.message.userClaim).toBe('vip');
    expect((await theirs.messages.get(sent.serial)).userClaim).toBe('vip');

    const typing = eventWhere<TypingSetEvent>(
      (l) => theirs.typing.subscribe(l),
      (e) => e.change.clientId === 'claimer',
    );
    await mine.typing.keystroke();
    expect((await typing).change.userClaim).toBe('vip');
    const reaction = eventWhere<RoomReactionEvent>(
      (l) => theirs.reactions.subscribe(l),
      () => true,
    );
    await mine.reactions.send({ name: '👏' });
    expect((await reaction).reaction.userClaim).toBe('vip');
    const raw = eventWhere<MessageReactionRawEvent>(
      (l) => theirs.messages.reactions.subscribeRaw(l),
      () => true,
    );
    await mine.messages.reactions.send(sent.serial, { name: '👍' });
    expect((await raw).reaction.userClaim).toBe('vip');
    const entered = eventWhere<PresenceEvent>(
      (l) => theirs.presence.subscribe(l),
      (e) => e.member.clientId === 'claimer',
    );
    await mine.presence.enter();
    expect((await entered).member.userClaim).toBe('vip');

    // A client without the claim cannot write one itself.
    const forger = track(
      new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'forger' })),
    );
    await forger.channels
      .get(`${roomName}::$chat`)
      .publish({ name: 'chat.message', data: { text: 'forged' }, extras: { userClaim: 'vip' } });
    const forged = (await received.until(2))[1]!.message;
    expect([forged.text, forged.userClaim]).toEqual(['forged', undefined]);
  });

  it('bad input: unknown message 40400, malformed send 40003', async () => {
    const client = chatClient('bad');
    const room = await openRoom(client, `bad-${format}`);
    await expect(room.messages.get('nope.000000001:0')).rejects.toMatchObject({
      code: 40400,
      statusCode: 404,
    });
    await expect(
      room.messages.reactions.send('nope.000000001:0', { name: 'x' }),
    ).rejects.toMatchObject({ code: 40400, statusCode: 404 });
    const res = await client.realtime.request(
      'POST',
      `/chat/v4/rooms/bad-${format}/messages`,
      4,
      {},
      {
        text: 7,
      },
    );
    expect([res.statusCode, res.errorCode]).toEqual([400, 40003]);
    const base = `/chat/v4/rooms/bad-${format}/messages`;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { deep };
    const answers = await Promise.all([
      client.realtime.request('POST', base, 4, {}, { text: 'x', metadata: deep }),
      client.realtime.request(
        'POST',
        `${base}/nope.000000001:0/reactions`,
        4,
        {},
        { type: 'odd', name: 'x' },
      ),
      client.realtime.request('PUT', `${base}/nope.000000001:0`, 4, {}, { message: { text: 'y' } }),
      client.realtime.request('POST', `${base}/nope.000000001:0/delete`, 4, {}, {}),
      client.realtime.request('GET', `${base}/nope.000000001:0/versions`, 4, {}),
    ]);
    expect(answers.map((a) => [a.statusCode, a.errorCode])).toEqual([
      [400, 40003],
      [400, 40003],
      [404, 40400],
      [404, 40400],
      [404, 40400],
    ]);
  });
});
