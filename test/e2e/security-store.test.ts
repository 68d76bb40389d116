import { request } from 'node:http';
import { Action } from '@switchboard/protocol';
import { rawClient, startTestServer, type TestServer } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, connectionState } from './helpers.js';

/** Opens a raw connection on a token and resolves with the code of the first ERROR or CONNECTED. */
async function connectWithToken(port: number, token: string): Promise<number | 'connected'> {
  const raw = await rawClient(port, { access_token: token });
  try {
    const pm = await raw.next((m) => m.action === Action.CONNECTED || m.action === Action.ERROR);
    return pm.action === Action.CONNECTED ? 'connected' : (pm.error?.code ?? -1);
  } finally {
    raw.close();
  }
}

/** POSTs a TokenRequest to its key's requestToken route as any client would after authCallback. */
async function redeem(
  port: number,
  tokenRequest: Ably.TokenRequest,
): Promise<{ status: number; code?: number }> {
  // A fresh socket per request: a pooled keep-alive socket would outlive the restarted server.
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/keys/${encodeURIComponent(tokenRequest.keyName)}/requestToken`,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(tokenRequest));
  });
  const body = JSON.parse(answer.text) as { error?: { code?: number } };
  return { status: answer.status, ...(body.error?.code ? { code: body.error.code } : {}) };
}

describe('revocations and used TokenRequest nonces survive a restart (SQLite data dir)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ sqlite: true, keys: [{ revocableTokens: true }] });
  });
  afterAll(async () => {
    await server?.close();
  });
  const rest = (): Ably.Rest =>
    new Ably.Rest({ ...server.clientOptions('json'), key: server.key, logLevel: 0 });

  it('RSA17: a token revoked before a restart is refused with 40141 after it; others still connect', async () => {
    const revoked = await rest().auth.requestToken({ clientId: 'revoked-user' });
    const kept = await rest().auth.requestToken({ clientId: 'kept-user' });
    const result = await rest().auth.revokeTokens([{ type: 'clientId', value: 'revoked-user' }]);
    expect(result.successCount).toBe(1);
    expect(await connectWithToken(server.port, revoked.token)).toBe(40141);

    await server.restart();

    expect(await connectWithToken(server.port, revoked.token)).toBe(40141);
    expect(await connectWithToken(server.port, kept.token)).toBe('connected');
    // The official client sees the refusal too: it cannot renew, so it fails (40171).
    const rt = new Ably.Realtime({
      ...server.clientOptions('json'),
      token: revoked.token,
      logLevel: 0,
    });
    try {
      const change = (await rt.connection.once('failed')) as Ably.ConnectionStateChange;
      expect(change.reason?.code).toBe(40171);
    } finally {
      rt.close();
    }
  });

  it('RSA9: a TokenRequest redeemed before a restart is refused as a replay (40105) after it', async () => {
    const tokenRequest = await rest().auth.createTokenRequest({ clientId: 'nonce-user' });
    expect(await redeem(server.port, tokenRequest)).toEqual({ status: 200 });
    expect(await redeem(server.port, tokenRequest)).toEqual({ status: 401, code: 40105 });

    await server.restart();

    expect(await redeem(server.port, tokenRequest)).toEqual({ status: 401, code: 40105 });
    // A fresh TokenRequest still works, through the official client's authCallback.
    const fresh = await rest().auth.createTokenRequest({ clientId: 'nonce-user' });
    const rt = new Ably.Realtime({
      ...server.clientOptions('json'),
      authCallback: (_params, callback) => callback(null, fresh),
      logLevel: 0,
    });
    try {
      await connectionState(rt, 'connected');
      expect(rt.auth.clientId).toBe('nonce-user');
    } finally {
      rt.close();
    }
  });
});
