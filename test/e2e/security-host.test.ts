import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ably, realtimeOptions, useServer } from './helpers.js';
import { rawExchange, timeStatus, upgradeRequest } from './raw-http.js';
import { spawnServer, type ServerProcess } from './server-process.js';

describe('host: hostile upgrade requests (spawned server)', () => {
  let sb: ServerProcess;
  beforeAll(async () => {
    sb = await spawnServer();
  });
  afterAll(async () => {
    await sb.close();
  });

  it('a WebSocket upgrade to //, ///, //[ and friends gets 400 and the process keeps serving', async () => {
    for (const target of ['//', '///', '//[', '//%', '//[::1', '//a:b@', '//?key=x']) {
      const reply = await rawExchange(sb.port, upgradeRequest(target), { timeoutMs: 1500 });
      expect(reply.status, `upgrade to ${target}`).toBe(400);
      expect(sb.alive(), `alive after upgrade to ${target}`).toBe(true);
    }
    expect(await timeStatus(sb.port)).toBe(200);
    expect(sb.output()).not.toContain('Invalid URL');
  });

  it('REST requests to //, //[ or an absolute-form target get 400 (40000), not 500', async () => {
    for (const target of ['//', '///', '//[', 'http://[/', 'http://x/time', '//?key=x']) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const reply = await rawExchange(
          sb.port,
          `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
        expect(reply.status, `${method} ${target}`).toBe(400);
        expect(reply.raw.toString('latin1'), `${method} ${target}`).toContain('40000');
      }
    }
    for (const line of ['FOO BAR', 'GET %zz HTTP/1.1', 'GET / HTTP/9.9']) {
      const reply = await rawExchange(sb.port, `${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([400, 505, undefined], line).toContain(reply.status);
    }
    expect(sb.alive()).toBe(true);
    expect(await timeStatus(sb.port)).toBe(200);
  });
});

describe('host: route parameters and admin secrets', () => {
  const { server } = useServer({ adminSecret: 'a'.repeat(16) });
  const auth = (): Record<string, string> => ({
    authorization: `Basic ${Buffer.from(server().key).toString('base64')}`,
  });

  it('malformed percent-encoding in any route parameter is 400 (40000), not 500', async () => {
    const bad = '%E0%A4%A';
    const routes: [string, string][] = [
      ['POST', `/keys/${bad}/requestToken`],
      ['POST', `/keys/${bad}/revokeTokens`],
      ['GET', `/channels/${bad}`],
      ['GET', `/channels/${bad}/messages`],
      ['POST', `/channels/${bad}/messages`],
      ['GET', `/channels/${bad}/presence`],
      ['GET', `/channels/${bad}/presence/history`],
      ['GET', `/channels/x/messages/${bad}`],
      ['PATCH', `/channels/x/messages/${bad}`],
      ['GET', `/channels/x/messages/${bad}/versions`],
      ['DELETE', `/apps/${bad}`],
    ];
    for (const [method, path] of routes) {
      const res = await fetch(`http://127.0.0.1:${server().port}${path}`, {
        method,
        headers: { ...auth(), 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      const body = (await res.json()) as { error: { code: number } };
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(body.error.code, `${method} ${path}`).toBe(40000);
    }
  });
});

describe('host: admin secret in production mode', () => {
  const { server } = useServer({ production: true, adminSecret: 'a'.repeat(16) });
  const auth = (): Record<string, string> => ({
    authorization: `Basic ${Buffer.from(server().key).toString('base64')}`,
  });

  it('a non-ASCII admin secret of the right length is refused with 401/403, never 500', async () => {
    // Node reads header bytes as latin1: 16 bytes of é, and 8 (16 UTF-8 bytes when re-encoded).
    for (const secret of ['\xe9'.repeat(16), '\xe9'.repeat(8), '\xff'.repeat(16)]) {
      for (const header of [
        `x-switchboard-admin-secret: ${secret}`,
        `Authorization: Bearer ${secret}`,
      ]) {
        for (const line of ['POST /apps', `DELETE /apps/${server().appId}`]) {
          const req = Buffer.from(
            `${line} HTTP/1.1\r\nHost: x\r\n${header}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
            'latin1',
          );
          const reply = await rawExchange(server().port, req);
          expect([401, 403], `${line} with ${header}`).toContain(reply.status);
        }
      }
    }
    // The app is still there: none of those deleted it.
    expect(
      (await fetch(`http://127.0.0.1:${server().port}/channels/x`, { headers: auth() })).status,
    ).toBe(200);
  });
});

describe('host: hardening', () => {
  const { server, track } = useServer({
    keys: [undefined],
    limits: { headersTimeoutMs: 500, maxPendingRequests: 5 },
  });

  it('the Link header of a history page carries no key or access_token', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), 'json'));
    await rest.channels.get('linked').publish([{ data: 'a' }, { data: 'b' }, { data: 'c' }]);
    for (const cred of [`key=${encodeURIComponent(server().key)}`, 'access_token=tok.en']) {
      const res = await fetch(
        `http://127.0.0.1:${server().port}/channels/linked/messages?limit=1&${cred}`,
        { headers: { authorization: `Basic ${Buffer.from(server().key).toString('base64')}` } },
      );
      await res.arrayBuffer();
      const link = res.headers.get('link') ?? '';
      expect(link).toContain('rel="next"');
      expect(link).not.toMatch(/key=|access_token=/);
      expect(link).not.toContain(server().keys[0]!.secret);
    }
  });

  it('a request whose headers never finish is cut off after headersTimeoutMs', async () => {
    const reply = await rawExchange(server().port, 'GET /time HTTP/1.1\r\nHost: x\r\nX-Slow: ', {
      timeoutMs: 5000,
    });
    expect(reply.closed).toBe(true);
    expect(reply.elapsedMs).toBeLessThan(4000);
  });

  it('connections beyond maxPendingRequests that have sent no complete request are refused', async () => {
    const idle = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const s = connect(server().port, '127.0.0.1', () => resolve(s));
            s.on('error', () => {});
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const extra = await rawExchange(server().port, 'GET /time HTTP/1.1\r\nHost: x\r\n\r\n', {
      timeoutMs: 400,
    });
    expect(extra.status).toBeUndefined();
    expect(extra.closed).toBe(true);
    for (const s of idle) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await timeStatus(server().port)).toBe(200);
    // Open WebSockets have completed their upgrade: they do not count as pending.
    const clients = Array.from({ length: 6 }, () =>
      track(new Ably.Realtime(realtimeOptions(server(), 'json'))),
    );
    await Promise.all(clients.map((c) => c.connection.once('connected')));
    expect(await timeStatus(server().port)).toBe(200);
  });

  it('a refused WebSocket whose peer never answers the close frame is closed within ~1 s', async () => {
    // No credentials: the server sends ERROR 40100 and a close frame; this peer stays silent.
    const reply = await rawExchange(server().port, upgradeRequest('/?v=6&format=json'), {
      timeoutMs: 6000,
    });
    expect(reply.status).toBe(101);
    expect(reply.raw.toString('latin1')).toContain('40100');
    expect(reply.closed).toBe(true);
    expect(reply.elapsedMs).toBeLessThan(3000);
  });
});
