import { EventEmitter } from 'node:events';
import { createEventBridge, defaultBridgeRoutes, type BridgeError } from '@switchboard/kit';
import { startTcpProxy, startTestServer, type TestServer } from '@switchboard/testkit';
import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('event-bus bridge against Switchboard', () => {
  let sb: TestServer;
  let reader: Ably.Realtime;
  beforeAll(async () => {
    sb = await startTestServer({
      persistAllChannels: true,
      keys: [undefined, { 'project:*': ['publish'] }],
    });
    reader = new Ably.Realtime({ ...sb.clientOptions('json'), key: sb.key, logLevel: 0 });
  });
  afterAll(async () => {
    reader.close();
    await sb.close();
  });

  /** Resolves with the first `count` messages on a channel. */
  async function collect(
    channel: string,
    count: number,
  ): Promise<{ all: Promise<Ably.InboundMessage[]> }> {
    const got: Ably.InboundMessage[] = [];
    let done!: (v: Ably.InboundMessage[]) => void;
    const all = new Promise<Ably.InboundMessage[]>((r) => (done = r));
    await reader.channels.get(channel).subscribe((m) => {
      got.push(m);
      if (got.length === count) done(got);
    });
    // Wrapped: an async function returning the promise itself would wait for it.
    return { all };
  }

  it('routes the default table (project, session, organization) with ids read from the payload', async () => {
    const bus = new EventEmitter();
    const bridge = createEventBridge({
      bus,
      routes: defaultBridgeRoutes,
      rest: { ...sb.clientOptions('json'), key: sb.key },
    });
    const project = await collect('project:p1', 1);
    const session = await collect('session:s1', 1);
    const org = await collect('organization:o1', 1);
    bus.emit('project.updated', { projectId: 'p1', changes: { status: 'completed' } });
    bus.emit('session.message', { payload: { sessionId: 's1', text: 'hi' } });
    bus.emit('obligation.changed', { organizationId: 'o1', obligationId: 'ob1' });
    bus.emit('not.mapped', { projectId: 'p1' });
    const [[p], [s], [o]] = await Promise.all([project.all, session.all, org.all]);
    expect(p).toMatchObject({
      name: 'project.updated',
      data: { projectId: 'p1', changes: { status: 'completed' } },
    });
    expect(s).toMatchObject({
      name: 'session.message',
      data: { payload: { sessionId: 's1', text: 'hi' } },
    });
    expect(o).toMatchObject({ name: 'obligation.changed', data: { organizationId: 'o1' } });
    await bridge.stop();
    expect(bridge.stats).toMatchObject({ published: 3, dropped: 0 });
  });

  it('batches a burst into few REST requests and keeps per-channel order', async () => {
    const bus = new EventEmitter();
    const bridge = createEventBridge({
      bus,
      routes: { 'project.updated': { channel: 'project:{projectId}' } },
      rest: { ...sb.clientOptions('json'), key: sb.key },
      batch: { maxMessages: 50, maxDelayMs: 20 },
    });
    const a = await collect('project:burst-a', 60);
    const b = await collect('project:burst-b', 60);
    for (let i = 0; i < 60; i++) {
      bus.emit('project.updated', { projectId: 'burst-a', i });
      bus.emit('project.updated', { projectId: 'burst-b', i });
    }
    const [ga, gb] = await Promise.all([a.all, b.all]);
    expect(ga.map((m) => (m.data as { i: number }).i)).toEqual([...Array(60).keys()]);
    expect(gb.map((m) => (m.data as { i: number }).i)).toEqual([...Array(60).keys()]);
    await bridge.stop();
    // 120 events, 50 per batch: three requests, not 120.
    expect(bridge.stats).toMatchObject({ published: 120, requests: 3, retries: 0 });
  });

  it('retries with backoff while the server is unreachable and delivers once it is back', async () => {
    const proxy = await startTcpProxy(sb.port);
    proxy.refuse(true);
    const bus = new EventEmitter();
    const retries: number[] = [];
    const bridge = createEventBridge({
      bus,
      routes: { 'project.updated': { channel: 'project:{projectId}' } },
      rest: { ...sb.clientOptions('json'), port: proxy.port, key: sb.key, httpMaxRetryCount: 0 },
      retry: { attempts: 8, baseDelayMs: 20, maxDelayMs: 200 },
      onRetry: ({ attempt, delayMs }) => {
        retries.push(delayMs);
        // Back after two failed attempts.
        if (attempt === 2) proxy.refuse(false);
      },
    });
    const got = await collect('project:retry', 2);
    bus.emit('project.updated', { projectId: 'retry', n: 1 });
    bus.emit('project.updated', { projectId: 'retry', n: 2 });
    const messages = await got.all;
    expect(messages.map((m) => (m.data as { n: number }).n)).toEqual([1, 2]);
    await bridge.stop();
    expect(retries).toHaveLength(2);
    // Exponential: the second wait's ceiling is twice the first's.
    expect(retries[0]).toBeLessThanOrEqual(20);
    expect(retries[1]).toBeGreaterThanOrEqual(20);
    expect(bridge.stats).toMatchObject({ published: 2, dropped: 0, retries: 2 });
    await proxy.close();
  });

  it('reports unroutable events and refusals without retrying them', async () => {
    const bus = new EventEmitter();
    const errors: BridgeError[] = [];
    const bridge = createEventBridge({
      bus,
      routes: {
        'project.updated': { channel: 'project:{projectId}' },
        'org.changed': { channel: 'organization:{organizationId}' },
      },
      // This key may publish on project:* only.
      rest: { ...sb.clientOptions('json'), key: sb.keys[1]!.keyStr },
      onError: (e) => errors.push(e),
    });
    bus.emit('project.updated', { nothing: 'here' });
    bus.emit('project.updated', { projectId: 'a:b' });
    bus.emit('org.changed', { organizationId: 'o2' });
    await bridge.flush();
    expect(errors.map((e) => e.reason)).toEqual(['unroutable', 'unroutable', 'rejected']);
    expect(errors[2]).toMatchObject({ channel: 'organization:o2', error: { statusCode: 401 } });
    expect(bridge.stats).toMatchObject({ retries: 0, dropped: 3, published: 0 });
    await bridge.stop();
  });
});
