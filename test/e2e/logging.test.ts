import { createCapturingLogger, rawClient, type LogEntry } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, connectionState, realtimeOptions, useServer } from './helpers.js';

const PAYLOAD = 'payload-that-must-never-be-logged-7f3a';
const EXTRAS_MARK = 'extras-that-must-never-be-logged-91c2';

/**
 * What the server logs, checked through the injected Logger port with the official client: the
 * entries an operator relies on are there with their fields, and nothing secret or private is.
 */
describe('structured logs', () => {
  const capture = createCapturingLogger();
  const { server, track } = useServer({ logger: capture.logger, limits: { maxInboundRate: 5 } });
  /** Strings no entry may contain, collected as the tests make them. */
  const forbidden: string[] = [PAYLOAD, EXTRAS_MARK];
  const forConnection = (id: string | undefined) => (e: LogEntry) => e.fields.connectionId === id;

  it('connection opened and closed by the client, with ids, format, transport and reason', async () => {
    forbidden.push(server().keys[0]!.secret);
    const rt = track(new Ably.Realtime(realtimeOptions(server(), 'json', { clientId: 'alice' })));
    await connectionState(rt, 'connected');
    const id = rt.connection.id;
    const opened = await capture.waitFor(
      (e) => e.message === 'connection opened' && forConnection(id)(e),
    );
    expect(opened).toMatchObject({
      level: 'info',
      fields: {
        connectionId: id,
        appId: server().appId,
        keyName: server().keys[0]!.keyName,
        clientId: 'alice',
        authMethod: 'basic',
        format: 'json',
        transport: 'websocket',
      },
    });
    // The connection key lets anyone resume this connection: never in a line.
    forbidden.push(rt.connection.key!.split('!')[1]!);
    await rt.channels
      .get('logged')
      .publish({ name: 'greeting', data: PAYLOAD, extras: { headers: { mark: EXTRAS_MARK } } });
    rt.close();
    const closed = await capture.waitFor(
      (e) => e.message === 'connection closed' && forConnection(id)(e),
    );
    expect(closed).toMatchObject({
      level: 'info',
      fields: { connectionId: id, reason: 'closed by client', clientId: 'alice', messagesIn: 1 },
    });
  });

  it('RTN15c6: a resumed connection is logged as resumed under the same id', async () => {
    const first = await rawClient(server().port, { key: server().key });
    const connected = await first.next((pm) => pm.action === 4);
    const key = connected.connectionDetails!.connectionKey!;
    forbidden.push(key.split('!')[1]!);
    first.socket.terminate();
    await capture.waitFor(
      (e) => e.message === 'connection transport lost' && forConnection(connected.connectionId)(e),
    );
    const second = await rawClient(server().port, { key: server().key, resume: key });
    const again = await second.next((pm) => pm.action === 4);
    expect(again.connectionId).toBe(connected.connectionId);
    const resumed = await capture.waitFor(
      (e) => e.message === 'connection resumed' && forConnection(connected.connectionId)(e),
    );
    expect(resumed.fields).toMatchObject({ format: 'json', transport: 'websocket' });
    forbidden.push(again.connectionDetails!.connectionKey!.split('!')[1]!);
    second.close();
  });

  it('a wrong key secret is logged as an auth failure with its code and key name, not the secret', async () => {
    const wrong = `${server().keys[0]!.keyName}:not-the-secret-${Date.now()}`;
    forbidden.push(wrong.split(':')[1]!);
    const rt = track(new Ably.Realtime({ ...realtimeOptions(server(), 'json'), key: wrong }));
    await connectionState(rt, 'failed');
    const failure = await capture.waitFor(
      (e) => e.message === 'authentication failed' && e.fields.code === 40101,
    );
    expect(failure).toMatchObject({
      level: 'warn',
      fields: {
        on: 'connect',
        method: 'basic',
        keyName: server().keys[0]!.keyName,
        statusCode: 401,
      },
    });
  });

  it('a token (valid or forged) never reaches a line; a rejected one is logged with its code', async () => {
    const rest = new Ably.Rest({ ...realtimeOptions(server(), 'json') });
    const token = await rest.auth.requestToken({ clientId: 'bob' });
    forbidden.push(token.token);
    const ok = track(
      new Ably.Realtime({ ...server().clientOptions('json'), token: token.token, logLevel: 0 }),
    );
    await connectionState(ok, 'connected');
    await capture.waitFor(
      (e) => e.message === 'connection opened' && e.fields.connectionId === ok.connection.id,
    );
    const forged = `${token.token.slice(0, -6)}AAAAAA`;
    forbidden.push(forged);
    const bad = track(
      new Ably.Realtime({ ...server().clientOptions('json'), token: forged, logLevel: 0 }),
    );
    await connectionState(bad, 'failed');
    const failure = await capture.waitFor(
      (e) =>
        e.message === 'authentication failed' &&
        e.fields.on === 'connect' &&
        e.fields.method === 'token',
    );
    expect(failure.level).toBe('warn');
    expect(failure.fields.code).toBeGreaterThanOrEqual(40100);
  });

  it('REST auth failures are logged with the path only: the query may hold the key', async () => {
    const wrong = `${server().keys[0]!.keyName}:rest-wrong-secret-${Date.now()}`;
    forbidden.push(wrong.split(':')[1]!);
    const res = await fetch(
      `http://127.0.0.1:${server().port}/channels/q/messages?key=${encodeURIComponent(wrong)}`,
    );
    expect(res.status).toBe(401);
    const failure = await capture.waitFor(
      (e) => e.message === 'authentication failed' && e.fields.on === 'rest',
    );
    expect(failure.fields).toMatchObject({ method: 'GET', path: '/channels/q/messages' });
  });

  it('a flood of refused REST requests is logged at most 10 times per 10 s, not once each', async () => {
    const wrong = `${server().keys[0]!.keyName}:flood-wrong-secret`;
    forbidden.push('flood-wrong-secret');
    const auth = `Basic ${Buffer.from(wrong).toString('base64')}`;
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`http://127.0.0.1:${server().port}/channels/flood/messages`, {
          headers: { authorization: auth },
        }).then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 401)).toBe(true);
    const lines = capture.entries.filter(
      (e) => e.message === 'authentication failed' && e.fields.on === 'rest',
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(10);
  });

  it('a rate-limited connection (42910) is logged once, not once per refused message', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), 'msgpack')));
    const channel = rt.channels.get('fast');
    await channel.attach();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => channel.publish('n', `${PAYLOAD}-${i}`)),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBeGreaterThan(1);
    const lines = capture.entries.filter(
      (e) => e.message === 'limit hit' && e.fields.connectionId === rt.connection.id,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      fields: { code: 42910, channel: 'fast', appId: server().appId },
    });
  });

  it('no entry carries a key secret, a token, a connection key secret or a published payload', () => {
    expect(capture.entries.length).toBeGreaterThan(5);
    for (const entry of capture.entries) {
      const text = JSON.stringify(entry);
      for (const s of forbidden) expect(text, `${entry.message} leaks ${s}`).not.toContain(s);
    }
  });
});
