// @vitest-environment happy-dom
import {
  createMemoryHub,
  createRealtimeClient,
  type MemoryProvider,
  type PresenceMember,
  type RealtimeMessage,
  chatCatalog,
  type InvalidEventReport,
} from '@switchboard/kit';
import {
  useChannel,
  useConnectionState,
  usePresence,
  usePresenceListener,
  useTypedChannel,
  useTyping,
} from '@switchboard/react';
import { act, createElement, Fragment } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { channelReaches, inAct, mount, probe } from './harness.js';

describe('@switchboard/react hooks (memory provider)', () => {
  const clients: MemoryProvider[] = [];
  const hub = createMemoryHub();
  const connected = async (clientId: string): Promise<MemoryProvider> => {
    const c = createRealtimeClient('memory', { hub, clientId });
    clients.push(c);
    await c.connect();
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  });

  it('a StrictMode double mount attaches once, delivers each message once, and leaves the client connected', async () => {
    const [me, other] = await Promise.all([connected('me'), connected('other')]);
    const got: RealtimeMessage[] = [];
    const presenceSeen: string[] = [];
    await other.presence.subscribe('room:strict', (m) => presenceSeen.push(m.action));
    function Room() {
      useChannel('room:strict', 'hello', (m) => got.push(m));
      usePresence('room:strict', { name: 'Me' });
      return null;
    }
    const entered = new Promise<void>((resolve) => {
      void other.presence.subscribe('room:strict', (m) => m.clientId === 'me' && resolve());
    });
    const view = await mount(me, createElement(Room));
    await inAct(entered);
    const delivered = new Promise<void>((resolve) => {
      void me.subscribe('room:strict', 'hello', () => resolve());
    });
    await other.publish('room:strict', 'hello', { n: 1 });
    await inAct(delivered);
    expect(got).toHaveLength(1);
    expect(me.attachCount('room:strict')).toBe(1);
    expect(me.isConnected()).toBe(true);
    expect(presenceSeen).not.toContain('leave');
    await view.unmount();
    expect(me.isConnected()).toBe(true);
  });

  it('the channel is released only when its last user unmounts, and presence leaves then', async () => {
    const [me, other] = await Promise.all([connected('me'), connected('other')]);
    function User({ id }: { id: string }) {
      useChannel('room:release', () => undefined);
      return createElement('span', null, id);
    }
    function Present() {
      usePresence('room:release', 'here');
      return null;
    }
    const both = createElement(
      Fragment,
      null,
      createElement(User, { id: 'a' }),
      createElement(Present),
    );
    const view = await mount(me, both);
    await inAct(channelReaches(me, 'room:release', 'attached'));
    expect((await other.presence.get('room:release')).map((m) => m.clientId)).toEqual(['me']);
    const left = new Promise<void>((resolve) => {
      void other.presence.subscribe('room:release', (m) => m.action === 'leave' && resolve());
    });
    await view.render(createElement(User, { id: 'a' }));
    await inAct(left);
    expect(me.channelState('room:release')).toBe('attached');
    const detached = channelReaches(me, 'room:release', 'detached');
    await view.render(null);
    await inAct(detached);
    expect(me.channelState('room:release')).toBe('initialized');
    expect(me.attachCount('room:release')).toBe(1);
  });

  it('usePresenceListener follows enter, update and leave of others without polling', async () => {
    const [me, other] = await Promise.all([connected('me'), connected('other')]);
    const seen = probe<PresenceMember[]>();
    function Members() {
      const { members } = usePresenceListener('room:members');
      seen.report(members);
      return createElement(
        'ul',
        null,
        members.map((m) => createElement('li', { key: m.clientId }, m.clientId)),
      );
    }
    const view = await mount(me, createElement(Members));
    await inAct(channelReaches(me, 'room:members', 'attached'));
    await other.presence.enter('room:members', { stage: 1 });
    await seen.until((ms) => ms.length === 1 && (ms[0]!.data as { stage: number }).stage === 1);
    await other.presence.update('room:members', { stage: 2 });
    await seen.until((ms) => ms.length === 1 && (ms[0]!.data as { stage: number }).stage === 2);
    expect(document.body.textContent).toContain('other');
    await other.presence.leave('room:members');
    await seen.until((ms) => ms.length === 0);
    await view.unmount();
  });

  it('useTyping publishes one start per burst and one stop after the idle time; the other side shows and hides it', async () => {
    const [me, other] = await Promise.all([connected('me'), connected('other')]);
    const events: string[] = [];
    await other.subscribe('conversation:t', ['typing:start', 'typing:stop'], (m) =>
      events.push(m.name),
    );
    const typer = probe<{ keystroke(): void }>();
    const watcher = probe<string[]>();
    function Typer() {
      const t = useTyping('conversation:t', { idleMs: 80, payload: { actor: 'customer' } });
      typer.report(t);
      return null;
    }
    function Watcher() {
      const { typists } = useTyping('conversation:t');
      watcher.report(typists);
      return null;
    }
    const mine = await mount(me, createElement(Typer));
    const theirs = await mount(other, createElement(Watcher));
    await inAct(channelReaches(me, 'conversation:t', 'attached'));
    await inAct(channelReaches(other, 'conversation:t', 'attached'));
    for (let i = 0; i < 5; i++) typer.latest!.keystroke();
    await watcher.until((t) => t.includes('me'));
    await watcher.until((t) => t.length === 0);
    expect(events).toEqual(['typing:start', 'typing:stop']);
    await mine.unmount();
    await theirs.unmount();
  });

  it('useConnectionState follows disconnection and recovery', async () => {
    const me = await connected('me');
    const state = probe<string>();
    function Banner() {
      const s = useConnectionState();
      state.report(s);
      return createElement('p', { role: 'status' }, s);
    }
    const view = await mount(me, createElement(Banner));
    await state.until((s) => s === 'connected');
    await act(async () => me.simulateDisconnect());
    await state.until((s) => s === 'disconnected');
    expect(document.body.textContent).toContain('disconnected');
    await act(() => me.simulateReconnect());
    await state.until((s) => s === 'connected');
    await view.unmount();
  });

  it('useTypedChannel delivers parsed catalog events, drops and reports invalid ones, and validates its publishes', async () => {
    const [me, other] = await Promise.all([connected('me'), connected('other')]);
    const reads: number[] = [];
    const reports: InvalidEventReport[] = [];
    let publishRead!: (readAt: unknown) => Promise<void>;
    function Receipts() {
      const { channel } = useTypedChannel(
        chatCatalog.conversation,
        { conversationId: 'typed' },
        'read',
        (m) => reads.push(m.data.readAt),
        { onInvalid: (r) => reports.push(r) },
      );
      publishRead = (readAt) =>
        channel.publish('read', { messageId: 'm1', readAt: readAt as number });
      return null;
    }
    const view = await mount(me, createElement(Receipts));
    await inAct(channelReaches(me, 'conversation:typed', 'attached'));
    const seen = probe<number>();
    await other.publish('conversation:typed', 'read', { messageId: 'm1', readAt: 'soon' });
    await other.publish('conversation:typed', 'read', { messageId: 'm1', readAt: 7 });
    await other.subscribe('conversation:typed', 'read', () => seen.report(reads.length));
    await other.publish('conversation:typed', 'read', { messageId: 'm1', readAt: 8 });
    await seen.until(() => reads.length === 2);
    expect(reads).toEqual([7, 8]);
    expect(reports.map((r) => r.event)).toEqual(['read']);
    await expect(publishRead('later')).rejects.toThrow(
      /Invalid payload for "read" on conversation:typed/,
    );
    await view.unmount();
  });
});
