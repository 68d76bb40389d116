import { rawClient } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, realtimeOptions, useServer } from './helpers.js';

/** Polls `read` until it returns true or the time is up; presence leaves are asynchronous. */
async function eventually(read: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await read()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

describe.each(FORMATS)('presence entered without an attach (security #3) over %s', (format) => {
  const { server, track } = useServer({ limits: { presenceGraceMs: 200 } });

  const enterUnattached = async (channel: string, query: Record<string, string> = {}) => {
    const raw = await rawClient(server().port, {
      key: server().key,
      clientId: 'ghost',
      format,
      ...query,
    });
    await raw.next((pm) => pm.action === 4);
    raw.send({ action: 14, channel, msgSerial: 0, presence: [{ action: 2, clientId: 'ghost' }] });
    await raw.next((pm) => pm.action === 1);
    return raw;
  };

  const membersOf = async (channel: string): Promise<string[]> => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    return (await rest.channels.get(channel).presence.get()).items.map((m) => m.clientId);
  };

  it('leaves when its connection sends CLOSE', async () => {
    const raw = await enterUnattached('ghost-close');
    expect(await membersOf('ghost-close')).toEqual(['ghost']);
    raw.send({ action: 7 });
    await raw.closed();
    expect(await eventually(async () => (await membersOf('ghost-close')).length === 0)).toBe(true);
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get('ghost-close');
    await channel.attach();
    expect(await channel.presence.get()).toEqual([]);
  });

  it('leaves after the grace period when its socket drops', async () => {
    const raw = await enterUnattached('ghost-drop');
    expect(await membersOf('ghost-drop')).toEqual(['ghost']);
    raw.socket.terminate();
    expect(await eventually(async () => (await membersOf('ghost-drop')).length === 0)).toBe(true);
  });
});
