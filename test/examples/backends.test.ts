import { startChatApp, type ChatApp } from '@switchboard/example-chat/server';
import {
  startPartnerSessionApp,
  type PartnerSessionApp,
} from '@switchboard/example-partner-session/server';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The examples' token endpoints hand out least-privilege tokens: a user reaches only the
// channels of the session or conversation they take part in, with only the operations the page
// needs. Checked with the official client against a real server.
describe("the example backends' tokens", () => {
  let sb: TestServer;
  let partner: PartnerSessionApp;
  let chat: ChatApp;
  const clients: Ably.Realtime[] = [];

  beforeAll(async () => {
    sb = await startTestServer();
    const switchboardUrl = `http://127.0.0.1:${sb.port}`;
    partner = await startPartnerSessionApp({
      switchboardUrl,
      key: sb.key,
      sessions: [
        { id: 's1', participants: ['alice', 'bob'] },
        { id: 's2', participants: ['carol', 'dan'] },
      ],
    });
    chat = await startChatApp({
      switchboardUrl,
      key: sb.key,
      conversations: [
        { id: 'c1', customer: 'dana', agent: 'sam' },
        { id: 'c2', customer: 'eve', agent: 'sam' },
      ],
    });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await partner?.close();
    await chat?.close();
    await sb?.close();
  });

  /** A realtime client that gets its tokens from an example's token endpoint, as the page does. */
  function pageClient(tokenUrl: string): Ably.Realtime {
    const client = new Ably.Realtime({
      ...sb.clientOptions('json'),
      logLevel: 0,
      authCallback: (_params, callback) => {
        fetch(tokenUrl)
          .then(async (res) => callback(null, (await res.json()) as Ably.TokenRequest))
          .catch((err: unknown) => callback(String(err), null));
      },
    });
    clients.push(client);
    return client;
  }

  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: Ably.ErrorInfo) => err.code,
    );

  it('partner session: presence and subscribe in their own session only, no publish anywhere', async () => {
    const alice = pageClient(`${partner.url}api/token?session=s1&user=alice`);
    const presence = alice.channels.get('meetwithoutfear:session:s1:presence');
    await presence.presence.enter({ userId: 'alice' });
    expect(alice.auth.clientId).toBe('alice');
    const events = alice.channels.get('meetwithoutfear:session:s1');
    expect(await code(events.attach())).toBe('ok');
    // Every event comes from the backend through notify: the page may not publish one itself.
    expect(await code(events.publish('partner.stage_completed', { stage: 4 }))).toBe(40160);
    expect(await code(alice.channels.get('meetwithoutfear:session:s2').attach())).toBe(40160);
    expect(await code(alice.channels.get('conversation:c1').attach())).toBe(40160);
  });

  it('partner session: no token for a session the user is not in, or for malformed ids', async () => {
    const status = async (query: string) =>
      (await fetch(`${partner.url}api/token?${query}`)).status;
    for (const query of [
      'session=s2&user=alice',
      'session=nope&user=alice',
      'session=s1:*&user=alice',
      'session=s1',
    ])
      expect(await status(query)).toBe(401);
  });

  it('chat: the catalog grant on their own conversation only', async () => {
    const dana = pageClient(`${chat.url}api/token?conversation=c1&user=dana`);
    const own = dana.channels.get('conversation:c1');
    expect(await code(own.publish('typing:start', { actor: 'customer' }))).toBe('ok');
    expect(await code(own.presence.enter({ role: 'customer' }))).toBe('ok');
    expect(await code(dana.channels.get('conversation:c2').attach())).toBe(40160);
    // Sam is the agent of both, but a token asked for c1 reaches c1 only.
    const sam = pageClient(`${chat.url}api/token?conversation=c1&user=sam`);
    expect(await code(sam.channels.get('conversation:c1').attach())).toBe('ok');
    expect(await code(sam.channels.get('conversation:c2').attach())).toBe(40160);
    expect((await fetch(`${chat.url}api/token?conversation=c2&user=dana`)).status).toBe(401);
  });

  it('chat: refuses empty and oversized messages, and receipts for unknown messages', async () => {
    const post = async (path: string, body: unknown) =>
      (
        await fetch(`${chat.url}api/conversations/c1/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    expect(await post('messages', { user: 'dana', text: '  ' })).toBe(400);
    expect(await post('messages', { user: 'dana', text: 'x'.repeat(2001) })).toBe(400);
    expect(await post('messages', { user: 'eve', text: 'hi' })).toBe(403);
    expect(await post('read', { user: 'sam', messageId: 'nope' })).toBe(400);
    expect(await post('messages', { user: 'dana', text: 'hi' })).toBe(200);
  });
});
