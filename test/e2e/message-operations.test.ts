import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('message updates, deletes and appends over %s', (format) => {
  const { server, track } = useServer({ namespaces: [{ id: 'mutable', mutableMessages: true }] });

  it('RTL32/RSL15: subscribers see the update and append; getMessage and history show the latest version', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format, { clientId: 'author' })));
    const channel = rt.channels.get('mutable:chat');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    const { serials } = await channel.publish('message:ai', 'Hello');
    const serial = serials[0]!;
    const appended = await channel.appendMessage({ serial, data: ' World' } as Ably.Message, {
      description: 'stream',
    });
    const updated = await channel.updateMessage({ serial, data: 'Hello there' } as Ably.Message, {
      metadata: { reason: 'typo' },
    });
    const items = await got.until(3);
    expect(items.map((m) => [m.action, m.data])).toEqual([
      ['message.create', 'Hello'],
      ['message.append', ' World'],
      ['message.update', 'Hello there'],
    ]);
    expect(items[2]!.serial).toBe(serial);
    expect(items[2]!.version?.serial).toBe(updated.versionSerial);
    expect(items[1]!.version?.serial).toBe(appended.versionSerial);

    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const latest = await rest.channels.get('mutable:chat').getMessage(serial);
    expect([latest.action, latest.data, latest.version?.metadata]).toEqual([
      'message.update',
      'Hello there',
      { reason: 'typo' },
    ]);
    const versions = await rest.channels.get('mutable:chat').getMessageVersions(serial);
    expect(versions.items.map((m) => m.data)).toEqual(['Hello', 'Hello World', 'Hello there']);
    const history = await rest.channels.get('mutable:chat').history();
    expect(history.items.map((m) => m.data)).toEqual(['Hello there']);

    await rest.channels.get('mutable:chat').deleteMessage({ serial, data: {} } as Ably.Message);
    expect((await rest.channels.get('mutable:chat').getMessage(serial)).action).toBe(
      'message.delete',
    );
  });

  it('outside a mutableMessages namespace an update is refused with 93002', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const { serials } = await rest.channels.get('plain').publish('n', 'x');
    await expect(
      rest.channels.get('plain').updateMessage({ serial: serials[0]!, data: 'y' } as Ably.Message),
    ).rejects.toMatchObject({ code: 93002, statusCode: 400 });
  });
});
