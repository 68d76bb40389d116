import { describe, expect, it } from 'vitest';
import { Ably, realtimeOptions, useServer } from './helpers.js';

const SECRET = 'admin-secret-for-tests';
const basic = (key: string): string => `Basic ${Buffer.from(key).toString('base64')}`;

async function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; code: number | undefined }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const code = text ? (JSON.parse(text) as { error?: { code: number } }).error?.code : undefined;
  return { status: res.status, code };
}

/** A stats fixture for one minute, in Ably's nested form. */
const fixture = (minute: number, count = 1): Record<string, unknown> => {
  const d = new Date(Date.UTC(2020, 0, 1, 0, minute));
  const id = `${d.toISOString().slice(0, 10)}:${d.toISOString().slice(11, 13)}:${d.toISOString().slice(14, 16)}`;
  return { intervalId: id, inbound: { realtime: { messages: { count } } } };
};

describe('DELETE /apps/{id} in production mode', () => {
  const { server } = useServer({ production: true, adminSecret: SECRET });

  it('a full-capability key alone is refused with an Ably error; the admin secret deletes', async () => {
    const s = server();
    const denied = await call(s.port, 'DELETE', `/apps/${s.appId}`, {
      authorization: basic(s.key),
    });
    expect(denied.status).toBe(401);
    expect(denied.code).toBe(40100);
    const deleted = await call(s.port, 'DELETE', `/apps/${s.appId}`, {
      'x-switchboard-admin-secret': SECRET,
    });
    expect(deleted.status).toBe(204);
  });
});

describe('DELETE /apps/{id} in development mode', () => {
  const { server } = useServer({
    keys: [undefined, { chat: ['subscribe'] }, { '*': ['publish'] }],
  });

  it('a key without full capability is refused; the full-capability key deletes (ably-js harness)', async () => {
    const s = server();
    for (const key of [s.keys[1]!.keyStr, s.keys[2]!.keyStr]) {
      const denied = await call(s.port, 'DELETE', `/apps/${s.appId}`, {
        authorization: basic(key),
      });
      expect(denied.status).toBe(403);
      expect(denied.code).toBe(40300);
    }
    const deleted = await call(s.port, 'DELETE', `/apps/${s.appId}`, {
      authorization: basic(s.key),
    });
    expect(deleted.status).toBe(204);
  });
});

describe('POST /stats in production mode', () => {
  const { server } = useServer({ production: true, adminSecret: SECRET });

  it('a full-capability key alone is refused; with the admin secret it loads fixtures', async () => {
    const s = server();
    const denied = await call(s.port, 'POST', '/stats', { authorization: basic(s.key) }, [
      fixture(1),
    ]);
    expect(denied.status).toBe(401);
    expect(denied.code).toBe(40100);
    const ok = await call(
      s.port,
      'POST',
      '/stats',
      { authorization: basic(s.key), 'x-switchboard-admin-secret': SECRET },
      [fixture(1)],
    );
    expect(ok.status).toBe(201);
  });
});

describe('POST /stats in development mode', () => {
  const { server } = useServer({
    keys: [undefined, { '*': ['publish', 'subscribe'] }],
    limits: { maxStatsFixtures: 10, maxStatsMinutes: 20, maxStatsEntries: 50 },
  });

  it('needs a full-capability key', async () => {
    const s = server();
    const denied = await call(
      s.port,
      'POST',
      '/stats',
      { authorization: basic(s.keys[1]!.keyStr) },
      [fixture(1)],
    );
    expect(denied.status).toBe(403);
    expect(denied.code).toBe(40300);
    const ok = await call(s.port, 'POST', '/stats', { authorization: basic(s.key) }, [fixture(1)]);
    expect(ok.status).toBe(201);
  });

  it('more fixtures than maxStatsFixtures in one request is 400 (40003)', async () => {
    const s = server();
    const many = Array.from({ length: 11 }, (_, i) => fixture(i));
    const res = await call(s.port, 'POST', '/stats', { authorization: basic(s.key) }, many);
    expect(res.status).toBe(400);
    expect(res.code).toBe(40003);
  });

  it('a fixture with more entries than maxStatsEntries is 400 (40003)', async () => {
    const s = server();
    const wide: Record<string, unknown> = { intervalId: '2020-01-01:00:00' };
    for (let i = 0; i < 60; i++) wide[`k${i}`] = { count: i };
    const res = await call(s.port, 'POST', '/stats', { authorization: basic(s.key) }, [wide]);
    expect(res.status).toBe(400);
    expect(res.code).toBe(40003);
  });

  it('a fixture nested 50,000 deep is 400, not a 500 from a stack overflow', async () => {
    const s = server();
    // Built as text: JSON.stringify would itself overflow the stack on such nesting.
    const deep = '{"a":'.repeat(50_000) + '{"count":1}' + '}'.repeat(50_000);
    const body = `[{"intervalId":"2020-01-01:00:00","inbound":${deep}}]`;
    const res = await fetch(`http://127.0.0.1:${s.port}/stats`, {
      method: 'POST',
      headers: { authorization: basic(s.key), 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect([40000, 40003]).toContain(
      ((await res.json()) as { error: { code: number } }).error.code,
    );
  });

  it('an app keeps at most maxStatsMinutes minutes; the oldest stored go first', async () => {
    const s = server();
    for (let batch = 0; batch < 5; batch++) {
      const fixtures = Array.from({ length: 10 }, (_, i) => fixture(100 + batch * 10 + i));
      const res = await call(s.port, 'POST', '/stats', { authorization: basic(s.key) }, fixtures);
      expect(res.status).toBe(201);
    }
    const rest = new Ably.Rest(realtimeOptions(s, 'json'));
    const page = await rest.stats({ unit: 'minute', limit: 1000, direction: 'forwards' });
    expect(page.items.length).toBeLessThanOrEqual(20);
    expect(page.items.at(-1)!.intervalId).toBe(fixture(149).intervalId);
  });
});

describe('deleting an app ends its realtime connections', () => {
  const { server, track } = useServer();

  it('a connected official client goes to failed with an Ably error once its app is deleted', async () => {
    const s = server();
    const rt = track(new Ably.Realtime(realtimeOptions(s, 'json')));
    await rt.connection.once('connected');
    const failed = rt.connection.once('failed');
    const res = await call(s.port, 'DELETE', `/apps/${s.appId}`, { authorization: basic(s.key) });
    expect(res.status).toBe(204);
    const change = await Promise.race([
      failed,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000)),
    ]);
    expect(change, `still ${rt.connection.state}`).toBeDefined();
    expect(change!.reason?.code).toBe(40400);
    expect(s.switchboard.engine.stats().connections).toBe(0);
  });
});
