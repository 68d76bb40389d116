import {
  createMemoryHub,
  createRealtimeClient,
  RealtimeError,
  type PresenceMember,
} from '@switchboard/kit';
import { describe, expect, it } from 'vitest';

// What only the memory provider can do: drive a connection through suspension and failure on demand.
describe('memory provider connection simulation', () => {
  const pair = async () => {
    const hub = createMemoryHub();
    const a = createRealtimeClient('memory', { hub, clientId: 'a' });
    const b = createRealtimeClient('memory', { hub, clientId: 'b' });
    await Promise.all([a.connect(), b.connect()]);
    return { a, b };
  };

  it('suspension makes the member leave and operations reject with 80002; reconnecting re-enters it (RTP17)', async () => {
    const { a, b } = await pair();
    const seen: PresenceMember[] = [];
    await b.presence.subscribe('room', (m) => seen.push(m));
    await a.presence.enter('room', { stage: 1 });
    const states: string[] = [];
    a.onConnectionStateChange((c) => states.push(c.current));
    a.simulateSuspend();
    expect(states).toEqual(['disconnected', 'suspended']);
    await expect(a.publish('room', 'x', 'y')).rejects.toMatchObject({ code: 80002 });
    await a.simulateReconnect();
    expect(a.isConnected()).toBe(true);
    await Promise.resolve();
    expect(seen.map((m) => `${m.action}:${m.clientId}`)).toEqual(['enter:a', 'leave:a', 'enter:a']);
    expect((await b.presence.get('room')).map((m) => m.data)).toEqual([{ stage: 1 }]);
  });

  it('a publish made while disconnected waits and goes out on reconnect (queueMessages)', async () => {
    const { a, b } = await pair();
    const got: unknown[] = [];
    await b.subscribe('q', (m) => got.push(m.data));
    a.simulateDisconnect();
    const pending = a.publish('q', 'm', 'queued');
    await a.simulateReconnect();
    await pending;
    await Promise.resolve();
    expect(got).toEqual(['queued']);
  });

  it('failure rejects operations with the reason until connect() starts a new connection', async () => {
    const { a } = await pair();
    a.simulateFailure('token revoked');
    expect(a.connectionState).toBe('failed');
    const err = await a.publish('f', 'm', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RealtimeError);
    expect(err).toMatchObject({ code: 80000, message: 'token revoked' });
    await a.connect();
    await a.publish('f', 'm', 'x');
  });

  it('two clients without a shared hub do not see each other', async () => {
    const a = createRealtimeClient('memory', { clientId: 'a' });
    const b = createRealtimeClient('memory', { clientId: 'b' });
    await Promise.all([a.connect(), b.connect()]);
    await a.publish('iso', 'm', 'x');
    expect(await b.history('iso')).toEqual([]);
    expect((await a.history('iso')).map((m) => m.data)).toEqual(['x']);
  });
});
