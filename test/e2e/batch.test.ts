import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, connectionState, useServer } from './helpers.js';

describe.each(FORMATS)('batch operations and token revocation over %s', (format) => {
  const { server, track } = useServer({
    keys: [
      undefined,
      { 'allowed:*': ['publish', 'subscribe', 'presence'] },
      { revocableTokens: true },
    ],
  });
  const withKey = (i: number): Ably.ClientOptions => ({
    ...server().clientOptions(format),
    key: server().keys[i]!.keyStr,
    logLevel: 0,
  });

  it('RSC22: batchPublish publishes to every allowed channel and reports the refused ones with 401', async () => {
    const rest = new Ably.Rest(withKey(1));
    const results = await rest.batchPublish([
      {
        channels: ['allowed:a', 'denied'],
        messages: [
          { name: 'm', data: 'one' },
          { name: 'm', data: 'two' },
        ],
      },
    ]);
    expect(results[0]!.successCount).toBe(1);
    expect(results[0]!.failureCount).toBe(1);
    const [ok, refused] = results[0]!.results as {
      channel: string;
      messageId?: string;
      error?: Ably.ErrorInfo;
    }[];
    expect(ok!.channel).toBe('allowed:a');
    expect(ok!.messageId).toBeTruthy();
    expect(refused!.error!.statusCode).toBe(401);
    const history = await new Ably.Rest(withKey(0)).channels.get('allowed:a').history();
    expect(history.items.map((m) => m.data)).toEqual(['two', 'one']);
  });

  it('RSC24: batchPresence returns members per channel and 401 where not allowed', async () => {
    const rt = track(new Ably.Realtime({ ...withKey(0), clientId: 'member' }));
    await rt.channels.get('allowed:p').presence.enter('hi');
    await rt.channels.get('secret').presence.enter('hi');
    // ably.d.ts types this as an array, but the client returns the one BatchResult the server sends.
    const result = (await new Ably.Rest(withKey(1)).batchPresence([
      'allowed:p',
      'secret',
    ])) as unknown as Ably.BatchResult<unknown>;
    expect(result.successCount).toBe(1);
    const [ok, refused] = result.results as {
      channel: string;
      presence?: Ably.PresenceMessage[];
      error?: Ably.ErrorInfo;
    }[];
    expect(ok!.presence!.map((m) => m.clientId)).toEqual(['member']);
    expect(refused!.error!.statusCode).toBe(401);
  });

  it('RSA17: revokeTokens disconnects connections on revoked tokens with 40141', async () => {
    const rest = new Ably.Rest(withKey(2));
    const token = await rest.auth.requestToken({ clientId: 'to-revoke' });
    const rt = track(
      new Ably.Realtime({ ...server().clientOptions(format), token: token.token, logLevel: 0 }),
    );
    await connectionState(rt, 'connected');
    const disconnected = rt.connection.once('disconnected');
    const result = await rest.auth.revokeTokens([
      { type: 'clientId', value: 'to-revoke' },
      { type: 'bogus', value: 'x' },
    ]);
    expect(result.successCount).toBe(1);
    expect(result.failureCount).toBe(1);
    expect(((await disconnected) as Ably.ConnectionStateChange).reason?.code).toBe(40141);
    const again = track(
      new Ably.Realtime({ ...server().clientOptions(format), token: token.token, logLevel: 0 }),
    );
    // The server refuses the revoked token (40141); with no way to renew, the client fails (40171).
    const change = (await again.connection.once('failed')) as Ably.ConnectionStateChange;
    expect(change.reason?.code).toBe(40171);
  });
});
