import { Action } from '@switchboard/protocol';
import { decodeMsgpack, encodeMsgpack } from '@switchboard/protocol/msgpack';
import type { TestServer } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, realtimeOptions, useServer } from './helpers.js';

type Frame = {
  action: number;
  error?: { code: number; statusCode: number };
  connectionId?: string;
  connectionDetails?: { connectionKey: string };
  channel?: string;
  msgSerial?: number;
};

/** A comet client by hand, long-polling (`stream=false`), in JSON or msgpack. */
function rawComet(server: TestServer, format: 'json' | 'msgpack' = 'json') {
  const base = `http://127.0.0.1:${server.port}/comet`;
  const type = format === 'json' ? 'application/json' : 'application/x-msgpack';
  const decode = async (res: Response): Promise<Frame[]> => {
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length === 0) return [];
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return (json ? JSON.parse(body.toString('utf8')) : decodeMsgpack(body)) as Frame[];
  };
  return {
    async connect(params = ''): Promise<{ key: string; id: string; frames: Frame[] }> {
      const res = await fetch(
        `${base}/connect?key=${encodeURIComponent(server.key)}&stream=false&heartbeats=true&format=${format}${params}`,
      );
      const frames = await decode(res);
      const connected = frames.find((f) => f.action === Action.CONNECTED)!;
      return {
        key: connected.connectionDetails!.connectionKey,
        id: connected.connectionId!,
        frames,
      };
    },
    async recv(key: string): Promise<{ status: number; frames: Frame[] }> {
      const res = await fetch(`${base}/${key}/recv`);
      return { status: res.status, frames: await decode(res) };
    },
    /** Polls until a frame matching `want` arrives, and returns every frame seen. */
    async recvUntil(key: string, want: (f: Frame) => boolean): Promise<Frame[]> {
      const seen: Frame[] = [];
      for (let i = 0; i < 20; i++) {
        const { frames } = await this.recv(key);
        seen.push(...frames);
        if (frames.some(want)) return seen;
      }
      throw new Error(`not seen in ${JSON.stringify(seen)}`);
    },
    async send(key: string, body: unknown[] | Buffer | string): Promise<Response> {
      const payload =
        Buffer.isBuffer(body) || typeof body === 'string'
          ? body
          : format === 'json'
            ? JSON.stringify(body)
            : encodeMsgpack(body);
      return fetch(`${base}/${key}/send`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: typeof payload === 'string' ? payload : new Uint8Array(payload),
      });
    },
    get: (path: string, init?: RequestInit) => fetch(`${base}/${path}`, init),
  };
}

/** The one ProtocolMessage of an error answer. */
async function errorFrame(res: Response): Promise<Frame> {
  const frames = (await res.json()) as Frame[];
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

async function membersOf(server: TestServer, channel: string): Promise<string[]> {
  const rest = new Ably.Rest(realtimeOptions(server, 'json'));
  const page = await rest.channels.get(channel).presence.get();
  return page.items.map((m) => m.clientId);
}

/** Waits until `check` holds, polling every 50 ms for up to `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('comet requests that are not what the client should send', () => {
  const { server } = useServer({ limits: { maxFrameSize: 16 * 1024 } });

  it('a malformed connection key gets DISCONNECTED 80018; a well-formed unknown one 80008', async () => {
    const comet = rawComet(server());
    for (const op of ['recv', 'close', 'disconnect']) {
      const bad = await comet.get(`not-a-key/${op}`);
      expect(bad.status).toBe(400);
      expect(await errorFrame(bad)).toMatchObject({
        action: Action.DISCONNECTED,
        error: { code: 80018 },
      });
      const gone = await comet.get(`abc!def/${op}`);
      expect(gone.status).toBe(400);
      expect(await errorFrame(gone)).toMatchObject({
        action: Action.DISCONNECTED,
        error: { code: 80008 },
      });
    }
    const send = await comet.send('abc!def', [{ action: Action.HEARTBEAT }]);
    expect((await errorFrame(send)).error?.code).toBe(80008);
  });

  it('wrong methods and unknown comet routes are refused with an Ably error', async () => {
    const comet = rawComet(server());
    const { key } = await comet.connect();
    const getSend = await comet.get(`${key}/send`);
    expect(getSend.status).toBe(400);
    expect((await errorFrame(getSend)).error?.code).toBe(40000);
    const unknown = await comet.get(`${key}/upgrade`);
    expect(unknown.status).toBe(404);
    expect((await errorFrame(unknown)).error?.code).toBe(40400);
    const postConnect = await comet.get('connect', { method: 'POST', body: '[]' });
    expect(postConnect.status).toBe(400);
  });

  it('connecting without credentials is answered with ERROR 40100 and nothing to poll', async () => {
    const res = await rawComet(server()).get('connect?stream=false');
    const frames = (await res.json()) as Frame[];
    expect(frames).toMatchObject([{ action: Action.ERROR, error: { code: 40100 } }]);
  });

  it('a send body over 4× maxFrameSize is refused with 413 and ERROR 41300', async () => {
    const comet = rawComet(server());
    const { key } = await comet.connect();
    const res = await comet.send(key, Buffer.alloc(4 * 16 * 1024 + 1, 0x20));
    expect(res.status).toBe(413);
    expect(await errorFrame(res)).toMatchObject({ action: Action.ERROR, error: { code: 41300 } });
  });

  it('a send body that does not parse ends the connection with ERROR 40000, as over a WebSocket', async () => {
    const comet = rawComet(server());
    const { key } = await comet.connect();
    expect((await comet.send(key, '[{"action": 10,')).status).toBe(204);
    const frames = await comet.recvUntil(key, (f) => f.action === Action.ERROR);
    expect(frames.find((f) => f.action === Action.ERROR)?.error?.code).toBe(40000);
    const after = await comet.send(key, [{ action: Action.HEARTBEAT }]);
    expect((await errorFrame(after)).error?.code).toBe(80008);
  });

  it('RTN12: a send racing a close is applied or refused with 80008, the recv gets CLOSED, the server carries on', async () => {
    const comet = rawComet(server());
    for (let i = 0; i < 5; i++) {
      const { key } = await comet.connect();
      const publish = {
        action: Action.MESSAGE,
        channel: 'race',
        msgSerial: 0,
        messages: [{ name: 'n', data: 'x' }],
      };
      const [sent, closed] = await Promise.all([
        comet.send(key, [publish]),
        comet.get(`${key}/close`),
      ]);
      expect(closed.status).toBe(204);
      if (sent.status !== 204) expect((await errorFrame(sent)).error?.code).toBe(80008);
      const { frames } = await comet.recv(key);
      expect(frames.some((f) => f.action === Action.CLOSED)).toBe(true);
      const late = await comet.send(key, [publish]);
      expect((await errorFrame(late)).error?.code).toBe(80008);
    }
    expect((await comet.connect()).key).toMatch(/!/);
  });
  it('RTN12: a CLOSE sent just after the recv was abandoned (as ably-js closes) still makes members leave at once', async () => {
    const comet = rawComet(server());
    const { key } = await comet.connect('&clientId=closer');
    await comet.send(key, [
      { action: Action.ATTACH, channel: 'closing' },
      {
        action: Action.PRESENCE,
        channel: 'closing',
        msgSerial: 0,
        presence: [{ action: 2, clientId: 'closer' }],
      },
    ]);
    await comet.recvUntil(key, (f) => f.action === Action.ACK);
    expect(await membersOf(server(), 'closing')).toEqual(['closer']);
    const abandoned = new AbortController();
    const held = comet.get(`${key}/recv`, { signal: abandoned.signal }).catch(() => undefined);
    // Let the held recv reach the server, then abandon it before the CLOSE, the order that
    // would otherwise drop the transport and keep the member for the 15 s presence grace.
    await new Promise((r) => setTimeout(r, 100));
    abandoned.abort();
    await held;
    await new Promise((r) => setTimeout(r, 100));
    expect((await comet.get(`${key}/close`)).status).toBe(204);
    await eventually(async () => (await membersOf(server(), 'closing')).length === 0, 2000);
  });
  it('a second recv answers the first one empty and takes over', async () => {
    const comet = rawComet(server());
    const { key } = await comet.connect();
    await comet.send(key, [{ action: Action.ATTACH, channel: 'two-recvs' }]);
    await comet.recvUntil(key, (f) => f.action === Action.ATTACHED);
    const first = comet.recv(key);
    // The first must be held by the server before the second arrives.
    await new Promise((r) => setTimeout(r, 100));
    const second = comet.recv(key);
    expect(await first).toEqual({ status: 200, frames: [] });
    await new Ably.Rest(realtimeOptions(server(), 'json')).channels
      .get('two-recvs')
      .publish('n', 'x');
    const { frames } = await second;
    // A heartbeat may have answered the second first; the message then comes on the next recv.
    if (!frames.some((f) => f.action === Action.MESSAGE))
      frames.push(...(await comet.recvUntil(key, (f) => f.action === Action.MESSAGE)));
    expect(frames.filter((f) => f.action !== Action.HEARTBEAT).map((f) => f.action)).toEqual([
      Action.MESSAGE,
    ]);
  });
});

describe('comet in msgpack', () => {
  const { server } = useServer();

  it('long-polls msgpack arrays: CONNECTED, then ATTACHED, the ACK and the echoed message', async () => {
    const comet = rawComet(server(), 'msgpack');
    const { key, frames } = await comet.connect();
    expect(frames[0]!.action).toBe(Action.CONNECTED);
    const res = await comet.send(key, [
      { action: Action.ATTACH, channel: 'packed' },
      {
        action: Action.MESSAGE,
        channel: 'packed',
        msgSerial: 0,
        messages: [{ name: 'bin', data: Buffer.from([1, 2, 3]) }],
      },
    ]);
    expect(res.status).toBe(204);
    const seen = await comet.recvUntil(key, (f) => f.action === Action.MESSAGE);
    const actions = seen.map((f) => f.action).filter((a) => a !== Action.HEARTBEAT);
    expect(actions).toEqual([Action.ATTACHED, Action.ACK, Action.MESSAGE]);
    const message = seen.find((f) => f.action === Action.MESSAGE) as Frame & {
      messages: { data: Uint8Array }[];
    };
    expect(Buffer.from(message.messages[0]!.data)).toEqual(Buffer.from([1, 2, 3]));
  });
  it('a backlog of more than 15 frames comes back as one msgpack array (array16 header)', async () => {
    const comet = rawComet(server(), 'msgpack');
    const { key } = await comet.connect();
    await comet.send(key, [{ action: Action.ATTACH, channel: 'backlog' }]);
    await comet.recvUntil(key, (f) => f.action === Action.ATTACHED);
    const publisher = new Ably.Rest(realtimeOptions(server(), 'msgpack')).channels.get('backlog');
    // Published while no recv is in flight: they wait in the connection's queue.
    for (let i = 0; i < 20; i++) await publisher.publish('n', String(i));
    const { frames } = await comet.recv(key);
    const data = frames
      .filter((f) => f.action === Action.MESSAGE)
      .map((f) => (f as Frame & { messages: { data: string }[] }).messages[0]!.data);
    expect(data).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });
});

describe('a comet client that stops polling', () => {
  const { server } = useServer({
    limits: { maxOutboundBufferBytes: 32 * 1024, cometPollTimeoutMs: 1000 },
  });

  async function enterAndStopPolling(clientId: string, channel: string) {
    const comet = rawComet(server());
    const { key, id } = await comet.connect(`&clientId=${clientId}&remainPresentFor=0`);
    await comet.send(key, [
      { action: Action.ATTACH, channel },
      {
        action: Action.PRESENCE,
        channel,
        msgSerial: 0,
        presence: [{ action: 2, clientId, data: 'here' }],
      },
    ]);
    await comet.recvUntil(key, (f) => f.action === Action.ACK);
    expect(await membersOf(server(), channel)).toEqual([clientId]);
    return { comet, key, id };
  }

  it('is dropped when its queue passes maxOutboundBufferBytes: presence leaves, one more recv gets DISCONNECTED 80003', async () => {
    const { comet, key } = await enterAndStopPolling('flooded', 'flood');
    const rest = new Ably.Rest(realtimeOptions(server(), 'json'));
    const big = 'x'.repeat(2048);
    for (let i = 0; i < 20; i++)
      await rest.channels
        .get('flood')
        .publish(Array.from({ length: 5 }, () => ({ name: 'n', data: big })));
    await eventually(async () => (await membersOf(server(), 'flood')).length === 0);
    const { frames } = await comet.recv(key);
    expect(frames).toMatchObject([{ action: Action.DISCONNECTED, error: { code: 80003 } }]);
    expect((await errorFrame(await comet.get(`${key}/recv`))).error?.code).toBe(80008);
  });

  it('counts as dropped after cometPollTimeoutMs: presence leaves, and the client may still resume', async () => {
    const { comet, key, id } = await enterAndStopPolling('idle', 'idle');
    const started = Date.now();
    await eventually(async () => (await membersOf(server(), 'idle')).length === 0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect((await errorFrame(await comet.get(`${key}/recv`))).error?.code).toBe(80008);
    const resumed = await comet.connect(`&clientId=idle&resume=${encodeURIComponent(key)}`);
    expect(resumed.id).toBe(id);
    expect(resumed.frames[0]!.error).toBeUndefined();
  });
});
