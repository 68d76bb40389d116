import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, realtimeOptions, useServer } from './helpers.js';
import { isMessage, openSse, type ReadEvent, type SseReader } from './sse-reader.js';

const SECRET = 'sse-admin-secret';
const basic = (key: string): string => `Basic ${Buffer.from(key).toString('base64')}`;
const sseUrl = (params: Record<string, string>): string =>
  `/sse?${new URLSearchParams({ v: '1.2', ...params }).toString()}`;

interface Envelope {
  id: string;
  name?: string;
  data?: unknown;
  encoding?: string;
  timestamp: number;
  channel: string;
  clientId?: string;
  connectionId?: string;
}
const envelope = (e: ReadEvent): Envelope => JSON.parse(e.data) as Envelope;

async function messages(reader: SseReader, n: number): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for (let i = 0; i < n; i++) out.push(envelope(await reader.next(isMessage)));
  return out;
}

async function putHeartbeat(
  port: number,
  type: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { error?: { code: number } } & Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/heartbeat-config/${type}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as never };
}

describe('SSE endpoint (GET /sse)', () => {
  const { server, track } = useServer({
    keys: [undefined, { 'open:*': ['subscribe'] }],
  });

  for (const format of FORMATS) {
    it(`delivers what the official client publishes (${format}): string, JSON and binary data in Ably's envelope`, async () => {
      const s = server();
      const reader = await openSse(
        s.port,
        sseUrl({ channels: `feed-${format},other-${format}`, key: s.key }),
      );
      expect(reader.status).toBe(200);
      expect(reader.headers['content-type']).toMatch(/^text\/event-stream/);
      const client = track(new Ably.Realtime(realtimeOptions(s, format, { clientId: 'pub' })));
      const feed = client.channels.get(`feed-${format}`);
      await feed.publish('text', 'hello');
      await feed.publish('json', { a: 1, b: [true] });
      await feed.publish('bin', Buffer.from([0, 1, 2, 255]));
      await client.channels.get(`other-${format}`).publish('second', 'there');
      const got = await messages(reader, 4);
      expect(got.map((m) => [m.channel, m.name])).toEqual([
        [`feed-${format}`, 'text'],
        [`feed-${format}`, 'json'],
        [`feed-${format}`, 'bin'],
        [`other-${format}`, 'second'],
      ]);
      expect(got[0]).toMatchObject({ data: 'hello', clientId: 'pub' });
      expect(got[0]!.encoding).toBeUndefined();
      expect(typeof got[0]!.id).toBe('string');
      expect(got[0]!.connectionId).toBe(client.connection.id);
      expect(Math.abs(got[0]!.timestamp - Date.now())).toBeLessThan(60_000);
      expect(got[1]!.encoding).toBe('json');
      expect(JSON.parse(got[1]!.data as string)).toEqual({ a: 1, b: [true] });
      expect(got[2]!.encoding).toBe('base64');
      expect([...Buffer.from(got[2]!.data as string, 'base64')]).toEqual([0, 1, 2, 255]);
      // Each event's id names a position on every channel of the stream.
      expect(reader.lastEventId.split(',')).toHaveLength(2);
      reader.close();
    });
  }

  it('resumes with Last-Event-ID after a cut: what was published meanwhile, no gap, no repeat', async () => {
    const s = server();
    const rest = new Ably.Rest(realtimeOptions(s, 'json'));
    const channel = rest.channels.get('resume-me');
    const first = await openSse(s.port, sseUrl({ channels: 'resume-me,quiet', key: s.key }));
    await channel.publish('m', '0');
    await channel.publish('m', '1');
    const before = await messages(first, 2);
    expect(before.map((m) => m.data)).toEqual(['0', '1']);
    const lastId = first.lastEventId;
    first.close();
    // Several messages in one request share a log entry: the resume point is after the entry.
    await channel.publish([
      { name: 'm', data: '2' },
      { name: 'm', data: '3' },
    ]);
    await channel.publish('m', '4');
    const second = await openSse(s.port, sseUrl({ channels: 'resume-me,quiet', key: s.key }), {
      'last-event-id': lastId,
    });
    const after = await messages(second, 3);
    expect(after.map((m) => m.data)).toEqual(['2', '3', '4']);
    await channel.publish('m', '5');
    expect((await messages(second, 1))[0]!.data).toBe('5');
    // `lastEvent` in the query does the same (Ably's parameter).
    const third = await openSse(
      s.port,
      sseUrl({ channels: 'resume-me,quiet', key: s.key, lastEvent: second.lastEventId }),
    );
    await channel.publish('m', '6');
    expect((await messages(third, 1))[0]!.data).toBe('6');
    expect(third.events.filter(isMessage)).toHaveLength(1);
    second.close();
    third.close();
  });

  it('rewind=2 starts with the last two messages', async () => {
    const s = server();
    const channel = new Ably.Rest(realtimeOptions(s, 'json')).channels.get('rewound');
    for (let i = 0; i < 4; i++) await channel.publish('r', String(i));
    const reader = await openSse(s.port, sseUrl({ channels: 'rewound', key: s.key, rewind: '2' }));
    expect((await messages(reader, 2)).map((m) => m.data)).toEqual(['2', '3']);
    reader.close();
  });

  it('accepts Basic auth and a token (accessToken), and enveloped=false sends the data alone', async () => {
    const s = server();
    const byHeader = await openSse(s.port, sseUrl({ channels: 'auth-ways', enveloped: 'false' }), {
      authorization: basic(s.key),
    });
    const rest = new Ably.Rest(realtimeOptions(s, 'json'));
    const token = await rest.auth.requestToken({ capability: { 'auth-ways': ['subscribe'] } });
    const byToken = await openSse(
      s.port,
      sseUrl({ channels: 'auth-ways', accessToken: token.token }),
    );
    await rest.channels.get('auth-ways').publish('x', 'plain text');
    expect((await byHeader.next(isMessage)).data).toBe('plain text');
    expect(envelope(await byToken.next(isMessage)).data).toBe('plain text');
    byHeader.close();
    byToken.close();
  });

  const refusals: [string, (s: ReturnType<typeof server>) => Record<string, string>, number][] = [
    [
      'a channel the key may not subscribe to',
      (s) => ({ channels: 'open:a,secret', key: s.keys[1]!.keyStr }),
      40160,
    ],
    ['no channels', (s) => ({ key: s.key }), 40000],
    ['an invalid channel name', (s) => ({ channels: ':bad', key: s.key }), 40010],
    ['no credentials', () => ({ channels: 'x' }), 40100],
    ['a wrong secret', (s) => ({ channels: 'x', key: `${s.keys[0]!.keyName}:wrong` }), 40101],
    [
      'a lastEvent for other channels',
      (s) => ({ channels: 'x', key: s.key, lastEvent: 'a.1,b.2' }),
      40003,
    ],
  ];
  for (const [what, params, code] of refusals) {
    it(`${what}: an error event with Ably code ${code}, then the stream closes`, async () => {
      const s = server();
      const reader = await openSse(s.port, sseUrl(params(s)));
      const error = await reader.next((e) => e.event === 'error');
      expect((JSON.parse(error.data) as { code: number }).code).toBe(code);
      await reader.ended();
      expect(reader.events.filter(isMessage)).toHaveLength(0);
    });
  }

  it('an SSE subscriber counts as a subscriber of the channel (occupancy)', async () => {
    const s = server();
    const reader = await openSse(s.port, sseUrl({ channels: 'counted', key: s.key }));
    const rest = new Ably.Rest(realtimeOptions(s, 'json'));
    await rest.channels.get('counted').publish('x', 'y');
    await reader.next(isMessage);
    const status = await rest.channels.get('counted').status();
    expect(status.status.occupancy.metrics.subscribers).toBe(1);
    reader.close();
  });

  it('sends heartbeats at the interval configured for the channel type, and they update connection stats', async () => {
    const s = server();
    const set = await putHeartbeat(s.port, 'beat', { intervalMs: 200, timeoutMs: 600 });
    expect(set.status).toBe(200);
    const fast = await openSse(s.port, sseUrl({ channels: 'beat:room', key: s.key }));
    // The `slow` type has no row: the 30 s default applies, so no heartbeat in this test's time.
    const slow = await openSse(s.port, sseUrl({ channels: 'slow:room', key: s.key }));
    const beats: ReadEvent[] = [];
    for (let i = 0; i < 4; i++) beats.push(await fast.next((e) => !isMessage(e)));
    for (const b of beats) {
      const parsed = JSON.parse(b.data) as { type: string; timestamp: number };
      expect(parsed.type).toBe('heartbeat');
      expect(Math.abs(parsed.timestamp - b.receivedAt)).toBeLessThan(5_000);
    }
    const gaps = beats.slice(1).map((b, i) => b.receivedAt - beats[i]!.receivedAt);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(120);
    expect(mean).toBeLessThan(600);
    expect(slow.events.filter((e) => !isMessage(e))).toHaveLength(0);
    const audit = s.switchboard.engine.audit;
    await audit.flush();
    const rows = (await audit.connections({ appId: s.appId, limit: 100, openOnly: true })).items;
    const sse = rows.filter((r) => r.transport === 'sse');
    expect(sse.length).toBeGreaterThanOrEqual(2);
    const lastBeat = JSON.parse(beats[beats.length - 1]!.data) as { timestamp: number };
    expect(Math.max(...sse.map((r) => r.lastActivityAt))).toBeGreaterThanOrEqual(
      lastBeat.timestamp,
    );
    fast.close();
    slow.close();
  });

  it('a stream over several channel types beats at the shortest of their intervals', async () => {
    const s = server();
    await putHeartbeat(s.port, 'quick', { intervalMs: 150, timeoutMs: 450 });
    const reader = await openSse(s.port, sseUrl({ channels: 'system:x,quick:y', key: s.key }));
    await reader.next((e) => !isMessage(e), 3_000);
    await reader.next((e) => !isMessage(e), 3_000);
    reader.close();
  });
});

describe('heartbeat_config admin API', () => {
  const { server } = useServer({ production: true, adminSecret: SECRET });

  it('lists the B2B defaults; edits need the admin secret in production (401 without)', async () => {
    const s = server();
    const denied = await putHeartbeat(s.port, 'project', { intervalMs: 1000, timeoutMs: 3000 });
    expect(denied.status).toBe(401);
    expect(denied.body.error?.code).toBe(40100);
    const asKey = await fetch(`http://127.0.0.1:${s.port}/heartbeat-config`, {
      headers: { authorization: basic(s.key) },
    });
    expect(asKey.status).toBe(401);
    const admin = { 'x-switchboard-admin-secret': SECRET };
    const list = await fetch(`http://127.0.0.1:${s.port}/heartbeat-config`, { headers: admin });
    expect(await list.json()).toEqual(
      expect.arrayContaining([
        { channelType: 'organization', intervalMs: 60_000, timeoutMs: 180_000 },
        { channelType: 'system', intervalMs: 60_000, timeoutMs: 180_000 },
        { channelType: 'project', intervalMs: 30_000, timeoutMs: 90_000 },
      ]),
    );
    const ok = await putHeartbeat(s.port, 'project', { intervalMs: 1000, timeoutMs: 3000 }, admin);
    expect(ok).toEqual({
      status: 200,
      body: { channelType: 'project', intervalMs: 1000, timeoutMs: 3000 },
    });
    for (const bad of [
      { intervalMs: 10, timeoutMs: 3000 },
      { intervalMs: 1000, timeoutMs: 500 },
      { intervalMs: '1000', timeoutMs: 3000 },
      [],
    ]) {
      const refused = await putHeartbeat(s.port, 'project', bad, admin);
      expect(refused.status).toBe(400);
      expect(refused.body.error?.code).toBe(40003);
    }
    const badType = await putHeartbeat(
      s.port,
      'a%3Ab',
      { intervalMs: 1000, timeoutMs: 3000 },
      admin,
    );
    expect(badType.body.error?.code).toBe(40003);
    const del = await fetch(`http://127.0.0.1:${s.port}/heartbeat-config/project`, {
      method: 'DELETE',
      headers: admin,
    });
    expect(del.status).toBe(204);
    const again = await fetch(`http://127.0.0.1:${s.port}/heartbeat-config/project`, {
      method: 'DELETE',
      headers: admin,
    });
    expect(again.status).toBe(404);
  });
});

describe('SSE slow consumer', () => {
  const { server, track } = useServer({
    limits: { maxOutboundBufferBytes: 64 * 1024, maxInboundRate: 100_000 },
  });

  it('a stream that stops reading is cut off (80003) once its buffer passes maxOutboundBufferBytes, not buffered without bound', async () => {
    const s = server();
    const reader = await openSse(s.port, sseUrl({ channels: 'firehose', key: s.key }));
    reader.pause();
    const client = track(new Ably.Realtime(realtimeOptions(s, 'msgpack')));
    const channel = client.channels.get('firehose');
    const payload = 'x'.repeat(60_000);
    const audit = s.switchboard.engine.audit;
    const sseRow = async () => {
      await audit.flush();
      const rows = (await audit.connections({ appId: s.appId, limit: 10 })).items;
      return rows.find((r) => r.transport === 'sse');
    };
    // A paused reader never sees the close; the server's connection row says what happened.
    // Loopback socket buffers hold a few MB before the server's own buffer grows.
    let row = await sseRow();
    for (let sent = 0; sent < 1000 && row?.disconnectedAt === undefined; sent++) {
      await channel.publish('big', payload);
      if (sent % 20 === 19) row = await sseRow();
    }
    expect(row?.disconnectReason).toBe('SSE error 80003');
    expect(row!.messagesOut).toBeLessThan(1000);
    reader.close();
  });
});

describe('SSE and the connection lifecycle', () => {
  const { server } = useServer();

  it('a token that expires ends the stream with its error (40142)', async () => {
    const s = server();
    const rest = new Ably.Rest(realtimeOptions(s, 'json'));
    const token = await rest.auth.requestToken({ ttl: 1500 });
    const reader = await openSse(
      s.port,
      sseUrl({ channels: 'expiring', accessToken: token.token }),
    );
    const error = await reader.next((e) => e.event === 'error', 10_000);
    expect((JSON.parse(error.data) as { code: number }).code).toBe(40142);
    await reader.ended();
  });

  it('a drain ends every stream with 80003 so EventSource reconnects elsewhere', async () => {
    const s = server();
    const reader = await openSse(s.port, sseUrl({ channels: 'draining', key: s.key }));
    const rest = new Ably.Rest(realtimeOptions(s, 'json'));
    await rest.channels.get('draining').publish('x', 'before');
    await reader.next(isMessage);
    s.switchboard.engine.drain();
    const error = await reader.next((e) => e.event === 'error');
    expect((JSON.parse(error.data) as { code: number }).code).toBe(80003);
    await reader.ended();
    const refused = await openSse(s.port, sseUrl({ channels: 'draining', key: s.key }));
    expect(
      (JSON.parse((await refused.next((e) => e.event === 'error')).data) as { code: number }).code,
    ).toBe(80003);
  });
});

describe('SSE heartbeat timeout on the server', () => {
  const { server, track } = useServer({ limits: { maxInboundRate: 100_000 } });

  it("a stream whose bytes sit unread for its type's whole timeout is closed (80003), under the buffer limit", async () => {
    const s = server();
    await putHeartbeat(s.port, 'stuck', { intervalMs: 100, timeoutMs: 400 });
    const reader = await openSse(s.port, sseUrl({ channels: 'stuck:1', key: s.key }));
    reader.pause();
    const client = track(new Ably.Realtime(realtimeOptions(s, 'msgpack')));
    const channel = client.channels.get('stuck:1');
    const audit = s.switchboard.engine.audit;
    const sseRow = async () => {
      await audit.flush();
      const rows = (await audit.connections({ appId: s.appId, limit: 10 })).items;
      return rows.find((r) => r.transport === 'sse');
    };
    // Enough to fill the loopback socket buffers (a few MB), far below the 16 MB buffer limit.
    const payload = 'y'.repeat(60_000);
    for (let i = 0; i < 150; i++) await channel.publish('big', payload);
    let row = await sseRow();
    for (let i = 0; i < 100 && row?.disconnectedAt === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      row = await sseRow();
    }
    expect(row?.disconnectReason).toBe('SSE error 80003');
    reader.close();
  });
});
