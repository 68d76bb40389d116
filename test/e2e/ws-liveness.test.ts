import { rawClient } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, connectionState, realtimeOptions, useServer } from './helpers.js';

// A peer that vanishes without closing its socket (a network cut, a NAT that forgot the flow)
// keeps the TCP connection open for minutes. The server pings every half wsPingTimeoutMs and cuts
// a socket that answered nothing since the previous ping, so its presence members leave.
describe('WebSocket liveness (wsPingTimeoutMs)', () => {
  const { server, track } = useServer({ limits: { wsPingTimeoutMs: 1000, presenceGraceMs: 500 } });

  it('cuts a socket whose peer stopped answering pings, and its member leaves after the grace period', async () => {
    const raw = await rawClient(server().port, { key: server().key, clientId: 'gone' });
    await raw.next((pm) => pm.action === 4);
    raw.send({ action: 10, channel: 'room' });
    await raw.next((pm) => pm.action === 11);
    raw.send({ action: 14, channel: 'room', msgSerial: 0, presence: [{ action: 2 }] });
    await raw.next((pm) => pm.action === 1);

    const watcher = track(new Ably.Realtime(realtimeOptions(server(), 'msgpack')));
    const room = watcher.channels.get('room');
    const left = new Promise<Ably.PresenceMessage>((resolve) => {
      void room.presence.subscribe('leave', resolve);
    });
    expect((await room.presence.get()).map((m) => m.clientId)).toEqual(['gone']);

    // The peer goes silent as a cut network would: it still holds the socket but answers no ping.
    raw.socket.pong = () => {};
    const silentAt = Date.now();
    await raw.closed();
    const cutAfter = Date.now() - silentAt;
    const leave = await left;
    const leftAfter = Date.now() - silentAt;
    expect(leave.clientId).toBe('gone');
    // Noticed within two ping rounds (1 s at most), far sooner than TCP would give up.
    expect(cutAfter).toBeLessThan(1500);
    // Then the 0.5 s grace period (RTN15: a resume inside it would keep the member).
    expect(leftAfter - cutAfter).toBeGreaterThanOrEqual(400);
  });

  it('keeps an idle client that answers pings connected past several timeouts', async () => {
    const idle = track(new Ably.Realtime(realtimeOptions(server(), 'json', { clientId: 'idle' })));
    await connectionState(idle, 'connected');
    const id = idle.connection.id;
    const changes: string[] = [];
    idle.connection.on((c) => changes.push(c.current));
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(changes).toEqual([]);
    expect(idle.connection.id).toBe(id);
  });
});
