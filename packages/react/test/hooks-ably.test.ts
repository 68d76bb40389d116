// @vitest-environment happy-dom
import { createRealtimeClient, type AblyProvider, type PresenceMember } from '@switchboard/kit';
import {
  useChannel,
  useConnectionState,
  usePresence,
  usePresenceListener,
} from '@switchboard/react';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelReaches, inAct, mount, probe } from './harness.js';

describe('@switchboard/react hooks over the ably provider against Switchboard', () => {
  let server: TestServer;
  const clients: AblyProvider[] = [];
  const connected = async (clientId: string): Promise<AblyProvider> => {
    const c = createRealtimeClient('ably', {
      ...server.clientOptions('json'),
      key: server.key,
      clientId,
      logLevel: 0,
    });
    clients.push(c);
    await c.connect();
    return c;
  };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await server.close();
  });

  it('StrictMode: one attach, one delivery per message, presence seen by the partner; unmount detaches and leaves', async () => {
    const [me, partner] = await Promise.all([connected('me'), connected('partner')]);
    const ch = 'meetwithoutfear:session:react-ably';
    let attaches = 0;
    me.onChannelStateChange((c) => {
      if (c.channel === ch && c.current === 'attached') attaches += 1;
    });
    const partnerSaw: string[] = [];
    let entered!: () => void;
    const enteredP = new Promise<void>((r) => (entered = r));
    let left!: () => void;
    const leftP = new Promise<void>((r) => (left = r));
    await partner.presence.subscribe(ch, (m) => {
      if (m.clientId !== 'me') return;
      partnerSaw.push(m.action);
      if (m.action === 'enter') entered();
      if (m.action === 'leave') left();
    });
    const got: unknown[] = [];
    const members = probe<PresenceMember[]>();
    const state = probe<string>();
    function Session() {
      state.report(useConnectionState());
      useChannel(ch, 'partner.stage_completed', (m) => got.push(m.data));
      members.report(usePresence(ch, { stage: 1 }).members);
      return null;
    }
    const view = await mount(me, createElement(Session));
    await inAct(enteredP);
    await inAct(channelReaches(me, ch, 'attached'));
    await state.until((s) => s === 'connected');
    await partner.presence.enter(ch, { stage: 2 });
    await members.until((ms) => ms.length === 2);
    await partner.publish(ch, 'partner.stage_completed', { stage: 2 });
    await partner.publish(ch, 'partner.stage_completed', { stage: 3 });
    // The listener list is what delivered: wait for the second message, then check nothing doubled.
    const second = new Promise<void>(
      (r) =>
        void me.subscribe(
          ch,
          'partner.stage_completed',
          (m) => (m.data as { stage: number }).stage === 3 && r(),
        ),
    );
    await inAct(second);
    expect(got).toEqual([{ stage: 2 }, { stage: 3 }]);
    expect(attaches).toBe(1);
    expect(me.isConnected()).toBe(true);

    const detached = channelReaches(me, ch, 'detached');
    await view.unmount();
    await inAct(Promise.all([detached, leftP]));
    expect(partnerSaw.filter((a) => a === 'leave')).toHaveLength(1);
    expect(partnerSaw[0]).toBe('enter');
    expect(me.isConnected()).toBe(true);
  });

  it('usePresenceListener shows a partner arriving and leaving', async () => {
    const [me, partner] = await Promise.all([connected('me2'), connected('partner2')]);
    const ch = 'meetwithoutfear:session:react-ably-2:presence';
    const members = probe<PresenceMember[]>();
    function Indicator() {
      const { members: ms } = usePresenceListener(ch);
      members.report(ms);
      return createElement(
        'span',
        null,
        ms.some((m) => m.clientId === 'partner2') ? 'Partner online' : 'Partner away',
      );
    }
    const view = await mount(me, createElement(Indicator));
    await inAct(channelReaches(me, ch, 'attached'));
    await partner.presence.enter(ch, { stage: 1 });
    await members.until((ms) => ms.some((m) => m.clientId === 'partner2'));
    expect(document.body.textContent).toContain('Partner online');
    await partner.presence.leave(ch);
    await members.until((ms) => ms.length === 0);
    expect(document.body.textContent).toContain('Partner away');
    await view.unmount();
  });
});
