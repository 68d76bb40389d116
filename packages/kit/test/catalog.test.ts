import {
  CatalogValidationError,
  chatCatalog,
  createMemoryHub,
  createRealtimeClient,
  mediationCatalog,
  mergeCapabilities,
  typedChannel,
  type InvalidEventReport,
  type RealtimeProvider,
} from '@switchboard/kit';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('channel-name and capability builders', () => {
  it('build names from params and read params back from names', () => {
    expect(mediationCatalog.session.name({ sessionId: 's1' })).toBe('meetwithoutfear:session:s1');
    expect(mediationCatalog.presence.name({ sessionId: 's1' })).toBe(
      'meetwithoutfear:session:s1:presence',
    );
    expect(mediationCatalog.session.match('meetwithoutfear:session:s1')).toEqual({
      sessionId: 's1',
    });
    expect(mediationCatalog.session.match('meetwithoutfear:session:s1:presence')).toBeNull();
    expect(chatCatalog.conversation.match('conversation:c-9')).toEqual({ conversationId: 'c-9' });
  });

  it('refuse an id that would name another channel or widen a grant', () => {
    for (const bad of ['s1:presence', '*', 'a,b', '', 'a b', '[x]']) {
      expect(() => mediationCatalog.session.name({ sessionId: bad })).toThrow(TypeError);
    }
  });

  it('grant exactly the operations each role needs, merged per channel', () => {
    expect(mediationCatalog.capabilities.participant(['s1', 's2'])).toEqual({
      'meetwithoutfear:session:s1': ['history', 'subscribe'],
      'meetwithoutfear:session:s1:presence': ['presence', 'subscribe'],
      'meetwithoutfear:session:s2': ['history', 'subscribe'],
      'meetwithoutfear:session:s2:presence': ['presence', 'subscribe'],
    });
    expect(chatCatalog.capabilities.customer('c1')).toEqual({
      'conversation:c1': ['history', 'presence', 'publish', 'subscribe'],
    });
    expect(mergeCapabilities({ a: ['subscribe'] }, { a: ['publish', 'subscribe'] })).toEqual({
      a: ['publish', 'subscribe'],
    });
  });
});

function catalogCases(
  label: string,
  makeClients: () => Promise<[RealtimeProvider, RealtimeProvider]>,
) {
  describe(`typed publish and subscribe (${label})`, () => {
    it('an invalid payload is refused on publish with an error naming the event and field, and nothing is sent', async () => {
      const [backend, partner] = await makeClients();
      const session = typedChannel(backend, mediationCatalog.session, {
        sessionId: `inv-${label}`,
      });
      const seen: string[] = [];
      await partner.subscribe(session.name, (m) => seen.push(m.name));
      const err = await session
        .publish('partner.stage_completed', {
          stage: 'two' as unknown as number,
          completedAt: new Date().toISOString(),
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CatalogValidationError);
      expect((err as Error).message).toMatch(
        /partner\.stage_completed.*meetwithoutfear:session:inv-/,
      );
      expect((err as Error).message).toContain('stage');
      await expect(session.publish('no.such.event' as never, {} as never)).rejects.toBeInstanceOf(
        CatalogValidationError,
      );
      let resumed!: () => void;
      const done = new Promise<void>((r) => (resumed = r));
      await partner.subscribe(session.name, 'session.resumed', () => resumed());
      await session.publish('session.resumed', {});
      await done;
      expect(seen).toEqual(['session.resumed']);
    });

    it('a received payload that does not validate is dropped and reported; valid ones arrive parsed', async () => {
      const [backend, partner] = await makeClients();
      const reports: InvalidEventReport[] = [];
      const sessionId = `recv-${label}`;
      const typed = typedChannel(
        partner,
        mediationCatalog.session,
        { sessionId },
        { onInvalid: (r) => reports.push(r) },
      );
      const got: { stage: number; completedAt: string }[] = [];
      let resolved!: () => void;
      const arrived = new Promise<void>((r) => (resolved = r));
      await typed.subscribe(['partner.stage_completed', 'session.resolved'], (m) => {
        if (m.name === 'partner.stage_completed') got.push(m.data);
        else resolved();
      });
      // Published raw, as an older or hostile sender would.
      await backend.publish(typed.name, 'partner.stage_completed', {
        stage: -1,
        completedAt: 'yesterday',
      });
      await backend.publish(typed.name, 'partner.stage_completed', {
        stage: 2,
        completedAt: '2026-01-01T10:00:00Z',
      });
      await backend.publish(typed.name, 'session.resolved', {});
      await arrived;
      expect(got).toEqual([{ stage: 2, completedAt: '2026-01-01T10:00:00Z' }]);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        event: 'partner.stage_completed',
        received: { stage: -1 },
      });
      expect(reports[0]!.error.message).toContain('completedAt');
    });

    it('presence data is validated on enter and on the way in', async () => {
      const [a, b] = await makeClients();
      const sessionId = `pres-${label}`;
      const reports: InvalidEventReport[] = [];
      const mine = typedChannel(a, mediationCatalog.presence, { sessionId });
      const theirs = typedChannel(
        b,
        mediationCatalog.presence,
        { sessionId },
        { onInvalid: (r) => reports.push(r) },
      );
      await expect(
        mine.presence.enter({ userId: 'u', stage: 1, status: 'BAD' as never, lastActive: 'x' }),
      ).rejects.toBeInstanceOf(CatalogValidationError);
      let onEnter!: (m: unknown) => void;
      const entered = new Promise((r) => (onEnter = r));
      await theirs.presence.subscribe((m) => onEnter(m));
      const valid = {
        userId: 'u1',
        stage: 1,
        status: 'IN_PROGRESS' as const,
        lastActive: '2026-01-01T10:00:00Z',
      };
      await mine.presence.enter(valid);
      expect(await entered).toMatchObject({ action: 'enter', data: valid });
      expect((await theirs.presence.get()).map((m) => m.data)).toEqual([valid]);
      expect(reports).toEqual([]);
    });
  });
}

catalogCases('memory', async () => {
  const hub = createMemoryHub();
  const pair = [
    createRealtimeClient('memory', { hub, clientId: 'a' }),
    createRealtimeClient('memory', { hub, clientId: 'b' }),
  ] as [RealtimeProvider, RealtimeProvider];
  await Promise.all(pair.map((c) => c.connect()));
  return pair;
});

let server: TestServer;
const ablyClients: RealtimeProvider[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(ablyClients.map((c) => c.disconnect()));
  await server.close();
});
catalogCases('ably', async () => {
  const make = (clientId: string) =>
    createRealtimeClient('ably', {
      ...server.clientOptions('json'),
      key: server.key,
      clientId,
      logLevel: 0,
    });
  const pair = [make('a'), make('b')] as [RealtimeProvider, RealtimeProvider];
  ablyClients.push(...pair);
  await Promise.all(pair.map((c) => c.connect()));
  return pair;
});

describe('typed channel types', () => {
  it('reject wrong event names and payloads at compile time', () => {
    const client = createRealtimeClient('memory', { clientId: 'types' });
    const chat = typedChannel(client, chatCatalog.conversation, { conversationId: 'c1' });
    const compileOnly = (): void => {
      // @ts-expect-error not an event of the chat catalog
      void chat.publish('message:robot', {});
      // @ts-expect-error content must be a string
      void chat.publish('message:user', { messageId: 'm', content: 1, timestamp: 1 });
      // @ts-expect-error sessionId is not a param of the conversation channel
      chatCatalog.conversation.name({ sessionId: 'x' });
      void chat.subscribe('read', (m) => {
        const readAt: number = m.data.readAt;
        // @ts-expect-error read carries no content
        void m.data.content;
        void readAt;
      });
    };
    expect(typeof compileOnly).toBe('function');
  });
});
