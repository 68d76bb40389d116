import {
  RealtimeError,
  type ConnectionState,
  type PresenceMember,
  type RealtimeMessage,
  type RealtimeProvider,
} from '@switchboard/kit/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the provider suite needs from a provider under test. */
export interface ProviderHarness {
  /** A new, unconnected client acting as `clientId`, able to see every other client of this harness. */
  createClient(clientId: string): Promise<RealtimeProvider>;
  /** Cuts the client's network until `restore` (the client must notice and go `disconnected`). */
  interrupt(client: RealtimeProvider): void;
  restore(client: RealtimeProvider): void;
  close?(): Promise<void>;
}

/** Resolves with the first value `register` hands its callback that satisfies `test`. */
function next<T>(
  register: (fn: (v: T) => void) => unknown,
  test: (v: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    register((v) => {
      if (test(v)) resolve(v);
    });
  });
}

function untilState(client: RealtimeProvider, state: ConnectionState): Promise<void> {
  if (client.connectionState === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.onConnectionStateChange((c) => {
      if (c.current === state) {
        off();
        resolve();
      }
    });
  });
}

/**
 * The conformance suite every `RealtimeProvider` passes: connection states, per-event
 * subscriptions, publish, presence events and sets, history, release, and resume after a cut
 * without losing a message. Providers differ only in the harness they pass.
 */
export function runProviderSuite(name: string, setup: () => Promise<ProviderHarness>): void {
  describe(`RealtimeProvider conformance: ${name}`, () => {
    let harness: ProviderHarness;
    const clients: RealtimeProvider[] = [];
    let seq = 0;
    const channel = (label: string): string => `conformance:${label}-${++seq}`;
    const client = async (clientId: string): Promise<RealtimeProvider> => {
      const c = await harness.createClient(clientId);
      clients.push(c);
      return c;
    };
    const connected = async (clientId: string): Promise<RealtimeProvider> => {
      const c = await client(clientId);
      await c.connect();
      return c;
    };

    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.disconnect()));
      await harness.close?.();
    });

    it('connects only when asked, reports each state change, and closes', async () => {
      const c = await client('states');
      expect(c.connectionState).toBe('initialized');
      expect(c.isConnected()).toBe(false);
      const seen: string[] = [];
      c.onConnectionStateChange((s) => seen.push(`${s.previous}>${s.current}`));
      await c.connect();
      expect(c.isConnected()).toBe(true);
      expect(seen).toEqual(['initialized>connecting', 'connecting>connected']);
      await c.disconnect();
      expect(c.isConnected()).toBe(false);
      expect(c.connectionState).toBe('closed');
      expect(seen.slice(2)).toEqual(['connected>closing', 'closing>closed']);
    });

    it('delivers a published message to subscribers of its event only, with name, data and clientId', async () => {
      const ch = channel('events');
      const [alice, bob] = await Promise.all([connected('alice'), connected('bob')]);
      const onlyA: RealtimeMessage[] = [];
      const all: RealtimeMessage[] = [];
      await bob.subscribe(ch, 'a', (m) => onlyA.push(m));
      const lastSeen = next<RealtimeMessage>(
        (fn) => bob.subscribe(ch, fn),
        (m) => m.name === 'c',
      );
      await bob.subscribe(ch, (m) => all.push(m));
      await alice.publish(ch, 'a', { n: 1 });
      await alice.publish(ch, 'b', 'text');
      await alice.publish(ch, 'c', [1, 2]);
      await lastSeen;
      expect(all.map((m) => [m.name, m.data])).toEqual([
        ['a', { n: 1 }],
        ['b', 'text'],
        ['c', [1, 2]],
      ]);
      expect(onlyA).toHaveLength(1);
      expect(onlyA[0]).toMatchObject({ channel: ch, name: 'a', data: { n: 1 }, clientId: 'alice' });
      expect(typeof onlyA[0]!.timestamp).toBe('number');
    });

    it('a subscription to several events, and both ways of unsubscribing, stop exactly what they name', async () => {
      const ch = channel('unsub');
      const [alice, bob] = await Promise.all([connected('alice'), connected('bob')]);
      const multi: string[] = [];
      const single: string[] = [];
      await bob.subscribe(ch, ['x', 'y'], (m) => multi.push(m.name));
      const off = await bob.subscribe(ch, 'z', (m) => single.push(m.name));
      await alice.publish(ch, 'x');
      await alice.publish(ch, 'z');
      let done = next<RealtimeMessage>((fn) => bob.subscribe(ch, 'end', fn));
      await alice.publish(ch, 'end');
      await done;
      expect(multi).toEqual(['x']);
      expect(single).toEqual(['z']);
      off();
      bob.unsubscribe(ch, 'x');
      await alice.publish(ch, 'x');
      await alice.publish(ch, 'y');
      await alice.publish(ch, 'z');
      done = next<RealtimeMessage>((fn) => bob.subscribe(ch, 'end2', fn));
      await alice.publish(ch, 'end2');
      await done;
      expect(multi).toEqual(['x', 'y']);
      expect(single).toEqual(['z']);
    });

    it('presence: enter, update and leave reach subscribers; get returns the current set', async () => {
      const ch = channel('presence');
      const [alice, bob] = await Promise.all([connected('alice'), connected('bob')]);
      const events: PresenceMember[] = [];
      await bob.presence.subscribe(ch, (m) => events.push(m));
      const entered = next<PresenceMember>(
        (fn) => bob.presence.subscribe(ch, fn),
        (m) => m.action === 'enter',
      );
      await alice.presence.enter(ch, { stage: 1 });
      expect(await entered).toMatchObject({ clientId: 'alice', data: { stage: 1 } });
      const updated = next<PresenceMember>(
        (fn) => bob.presence.subscribe(ch, fn),
        (m) => m.action === 'update',
      );
      await alice.presence.update(ch, { stage: 2 });
      await updated;
      const members = await bob.presence.get(ch);
      expect(members.map((m) => [m.clientId, m.data])).toEqual([['alice', { stage: 2 }]]);
      const left = next<PresenceMember>(
        (fn) => bob.presence.subscribe(ch, fn),
        (m) => m.action === 'leave',
      );
      await alice.presence.leave(ch);
      expect(await left).toMatchObject({ clientId: 'alice' });
      expect(events.map((e) => e.action)).toEqual(['enter', 'update', 'leave']);
      expect(await bob.presence.get(ch)).toEqual([]);
    });

    it('entering again is an update, and an update while absent enters (RTP8, RTP9)', async () => {
      const ch = channel('presence-again');
      const [alice, bob] = await Promise.all([connected('alice'), connected('bob')]);
      const actions: string[] = [];
      let third!: () => void;
      const done = new Promise<void>((r) => (third = r));
      await bob.presence.subscribe(ch, (m) => {
        actions.push(`${m.action}:${JSON.stringify(m.data)}`);
        if (actions.length === 3) third();
      });
      await alice.presence.update(ch, { v: 1 });
      await alice.presence.enter(ch, { v: 2 });
      await alice.presence.leave(ch);
      await done;
      expect(actions).toEqual(['enter:{"v":1}', 'update:{"v":2}', 'leave:undefined']);
    });

    it('a member leaves when its client disconnects', async () => {
      const ch = channel('presence-close');
      const [alice, bob] = await Promise.all([connected('alice'), connected('bob')]);
      await bob.presence.subscribe(ch, () => undefined);
      await alice.presence.enter(ch, 'here');
      const left = next<PresenceMember>(
        (fn) => bob.presence.subscribe(ch, fn),
        (m) => m.action === 'leave' && m.clientId === 'alice',
      );
      await alice.disconnect();
      await left;
      expect(await bob.presence.get(ch)).toEqual([]);
    });

    it('history returns newest first by default, forwards on request, and honours the limit', async () => {
      const ch = channel('history');
      const alice = await connected('alice');
      for (const n of [1, 2, 3]) await alice.publish(ch, `m${n}`, { n });
      const back = await alice.history(ch);
      expect(back.map((m) => m.name)).toEqual(['m3', 'm2', 'm1']);
      const fwd = await alice.history(ch, { direction: 'forwards', limit: 2 });
      expect(fwd.map((m) => [m.name, m.data])).toEqual([
        ['m1', { n: 1 }],
        ['m2', { n: 2 }],
      ]);
    });

    it('release detaches the channel (state events) and stops its listeners', async () => {
      const ch = channel('release');
      const [alice, bob] = await Promise.all([connected('alice'), connected('bob')]);
      const states: string[] = [];
      bob.onChannelStateChange((c) => {
        if (c.channel === ch) states.push(c.current);
      });
      const got: string[] = [];
      await bob.subscribe(ch, (m) => got.push(m.name));
      expect(bob.channelState(ch)).toBe('attached');
      await bob.release(ch);
      expect(states).toEqual(['attaching', 'attached', 'detaching', 'detached']);
      expect(bob.channelState(ch)).toBe('initialized');
      // Alice's own echo proves the message went out; Bob, released, must not get it.
      const echoed = next<RealtimeMessage>((fn) => alice.subscribe(ch, fn));
      await alice.publish(ch, 'after-release');
      await echoed;
      expect(got).toEqual([]);
    });

    it('after a network cut the client reports disconnected, resumes, and loses no message (RTN15)', async () => {
      const ch = channel('resume');
      const [alice, bob] = await Promise.all([connected('alice'), connected('bob')]);
      const got: unknown[] = [];
      await bob.subscribe(ch, 'n', (m) => got.push(m.data));
      await alice.publish(ch, 'n', '1');
      const down = untilState(bob, 'disconnected');
      harness.interrupt(bob);
      await down;
      expect(bob.isConnected()).toBe(false);
      await alice.publish(ch, 'n', '2');
      await alice.publish(ch, 'n', '3');
      const all = next<RealtimeMessage>(
        (fn) => bob.subscribe(ch, 'n', fn),
        (m) => m.data === '4',
      );
      harness.restore(bob);
      await untilState(bob, 'connected');
      await alice.publish(ch, 'n', '4');
      await all;
      expect(got).toEqual(['1', '2', '3', '4']);
    });

    it('data Ably cannot carry (a number, a Date) is refused with 40013', async () => {
      const alice = await connected('alice');
      await expect(alice.publish(channel('data'), 'n', 42)).rejects.toMatchObject({
        code: 40013,
        statusCode: 400,
      });
      await expect(alice.publish(channel('data'), 'd', new Date())).rejects.toMatchObject({
        code: 40013,
      });
    });

    it('entering presence without a clientId rejects with a RealtimeError', async () => {
      const anon = await connected('');
      await expect(anon.presence.enter(channel('anon'), 'x')).rejects.toBeInstanceOf(RealtimeError);
    });
  });
}
