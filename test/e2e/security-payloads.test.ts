import { rawClient } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

/** JSON text of an array nested `depth` deep: parses fine, but cannot be encoded again. */
const deeplyNested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** Sends one frame as JSON text, so nesting no encoder of ours could produce reaches the server. */
function sendJsonText(raw: Awaited<ReturnType<typeof rawClient>>, text: string): void {
  raw.sendRaw(text, false);
}

describe('payloads the server could not encode again are refused (security #2)', () => {
  const { server, track } = useServer({ namespaces: [{ id: 'mutable', mutableMessages: true }] });

  it('a presence member with deeply nested extras is NACKed; later clients attach and read presence', async () => {
    const raw = await rawClient(server().port, { key: server().key, clientId: 'mallory' });
    await raw.next((pm) => pm.action === 4);
    sendJsonText(
      raw,
      `{"action":14,"channel":"poisoned","msgSerial":0,"presence":[{"action":2,"clientId":"mallory","extras":{"x":${deeplyNested(6000)}}}]}`,
    );
    const answer = await raw.next((pm) => pm.action === 1 || pm.action === 2);
    expect(answer.action).toBe(2);
    expect(answer.error).toMatchObject({ statusCode: 400 });
    raw.close();

    for (const format of FORMATS) {
      const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
      const channel = rt.channels.get('poisoned');
      await channel.attach();
      expect(await channel.presence.get()).toEqual([]);
      expect(rt.connection.state).toBe('connected');
      const rest = new Ably.Rest(realtimeOptions(server(), format));
      expect((await rest.channels.get('poisoned').presence.get()).items).toEqual([]);
    }
  });

  it('a message update with deeply nested extras is refused and history still reads', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), 'json'));
    const channel = rest.channels.get('mutable:deep');
    await channel.publish('m', 'original');
    const [original] = (await channel.history()).items;
    const response = await fetch(
      `http://127.0.0.1:${server().port}/channels/mutable:deep/messages/${encodeURIComponent(original!.serial!)}`,
      {
        method: 'PATCH',
        headers: {
          authorization: `Basic ${Buffer.from(server().key).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: `{"action":1,"data":"x","extras":{"x":${deeplyNested(6000)}}}`,
      },
    );
    expect(response.status).toBe(400);
    const history = await channel.history();
    expect(history.items.map((m) => m.data)).toEqual(['original']);
  });

  it('a published message with deeply nested extras is NACKed, not answered with 50000', async () => {
    const raw = await rawClient(server().port, { key: server().key });
    await raw.next((pm) => pm.action === 4);
    sendJsonText(
      raw,
      `{"action":15,"channel":"deep","msgSerial":0,"messages":[{"name":"x","extras":{"x":${deeplyNested(6000)}}}]}`,
    );
    const nack = await raw.next((pm) => pm.action === 2);
    expect(nack.error).toMatchObject({ code: 40000, statusCode: 400 });
    raw.close();
  });
});

describe.each(FORMATS)(
  'maxMessageSize counts every stored field over %s (security #7)',
  (format) => {
    const { server } = useServer({ limits: { maxMessageSize: 2048 } });

    const publishRaw = async (message: object): Promise<number | undefined> => {
      const raw = await rawClient(server().port, { key: server().key, clientId: 'c', format });
      await raw.next((pm) => pm.action === 4);
      raw.send({ action: 15, channel: 'sized', msgSerial: 0, messages: [message] });
      const answer = await raw.next((pm) => pm.action === 1 || pm.action === 2);
      raw.close();
      return answer.error?.code;
    };

    it('a message id over the limit is NACKed with 40009', async () => {
      expect(await publishRaw({ id: 'i'.repeat(4096), data: 'x' })).toBe(40009);
    });

    it('an encoding over the limit is NACKed with 40009', async () => {
      expect(await publishRaw({ data: 'x', encoding: 'e'.repeat(4096) })).toBe(40009);
    });

    it('presence data over the limit is NACKed with 40009', async () => {
      const raw = await rawClient(server().port, { key: server().key, clientId: 'c', format });
      await raw.next((pm) => pm.action === 4);
      raw.send({
        action: 14,
        channel: 'sized',
        msgSerial: 0,
        presence: [{ action: 2, clientId: 'c', data: 'd'.repeat(4096) }],
      });
      const answer = await raw.next((pm) => pm.action === 1 || pm.action === 2);
      expect(answer.error?.code).toBe(40009);
      raw.close();
    });
  },
);

describe.each(FORMATS)('message operations are bounded over %s (security #4, #12)', (format) => {
  const { server, track } = useServer({
    namespaces: [{ id: 'mutable', mutableMessages: true }],
    limits: { maxMessageSize: 2048, maxVersionsPerMessage: 5 },
  });

  it('an append whose result would exceed maxMessageSize is refused with 40009', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'w' })));
    const channel = rt.channels.get('mutable:append');
    const { serials } = await channel.publish('m', 'a'.repeat(1000));
    const serial = serials[0]!;
    await channel.appendMessage({ serial, data: 'b'.repeat(1000) } as Ably.Message);
    await expect(
      channel.appendMessage({ serial, data: 'c'.repeat(1000) } as Ably.Message),
    ).rejects.toMatchObject({ code: 40009 });
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const latest = await rest.channels.get('mutable:append').getMessage(serial);
    expect((latest.data as string).length).toBe(2000);
  });

  it('versions of one message are capped in count; the latest stays correct', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'w' })));
    const channel = rt.channels.get('mutable:versions');
    const { serials } = await channel.publish('m', 'v0');
    const serial = serials[0]!;
    for (let i = 1; i <= 12; i++)
      await channel.updateMessage({ serial, data: `v${i}` } as Ably.Message);
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const versions = await rest.channels.get('mutable:versions').getMessageVersions(serial);
    expect(versions.items.length).toBeLessThanOrEqual(6);
    expect(versions.items.at(-1)!.data).toBe('v12');
    expect((await rest.channels.get('mutable:versions').getMessage(serial)).data).toBe('v12');
  });

  it('version.clientId is the authenticated clientId, not what the client claims', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'alice' })));
    const channel = rt.channels.get('mutable:who');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    const { serials } = await channel.publish('m', 'hi');
    await channel.updateMessage(
      { serial: serials[0]!, data: 'edited' } as Ably.Message,
      {
        clientId: 'mallory',
      } as Ably.MessageOperation,
    );
    const [, update] = await got.until(2);
    expect(update!.version?.clientId).toBe('alice');
  });
});
