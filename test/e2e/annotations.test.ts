import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

const MODES: Ably.ChannelMode[] = [
  'PUBLISH',
  'SUBSCRIBE',
  'ANNOTATION_PUBLISH',
  'ANNOTATION_SUBSCRIBE',
];

describe.each(FORMATS)('annotations over %s', (format) => {
  const { server, track } = useServer({
    namespaces: [{ id: 'mutable', mutableMessages: true }],
    keys: [undefined, { 'mutable:*': ['publish', 'subscribe', 'history'] }],
  });
  const realtime = (clientId?: string) =>
    track(
      new Ably.Realtime(realtimeOptions(server(), format, clientId ? { clientId } : undefined)),
    );
  const rest = (clientId?: string) =>
    new Ably.Rest(realtimeOptions(server(), format, clientId ? { clientId } : undefined));

  it('RTAN1/RTAN4/RSAN1: published annotations reach annotation subscribers, then a message.summary', async () => {
    const rt = realtime('ann');
    const channel = rt.channels.get('mutable:reactions', { modes: MODES });
    await channel.attach();
    const messages = collect<Ably.InboundMessage>();
    const annotations = collect<Ably.Annotation>();
    await channel.subscribe((m) => messages.push(m));
    await channel.annotations.subscribe((a) => annotations.push(a));
    await channel.publish('message', 'foobar');
    const [message] = await messages.until(1);

    await channel.annotations.publish(message!, { type: 'reaction:distinct.v1', name: '👍' });
    const [annotation] = await annotations.until(1);
    expect(annotation).toMatchObject({
      action: 'annotation.create',
      messageSerial: message!.serial,
      type: 'reaction:distinct.v1',
      name: '👍',
      clientId: 'ann',
    });
    expect(annotation!.serial! > message!.serial!).toBe(true);
    const summary = (await messages.until(2))[1]!;
    expect(summary.action).toBe('message.summary');
    expect(summary.serial).toBe(message!.serial);
    expect(summary.annotations.summary).toEqual({
      'reaction:distinct.v1': { '👍': { total: 1, clientIds: ['ann'], clipped: false } },
    });

    await rest('other').channels.get('mutable:reactions').annotations.publish(message!.serial!, {
      type: 'reaction:distinct.v1',
      name: '😕',
    });
    const second = (await annotations.until(2))[1]!;
    expect([second.name, second.clientId, second.action]).toEqual([
      '😕',
      'other',
      'annotation.create',
    ]);
    expect(second.serial! > annotation!.serial!).toBe(true);
  });

  it('RSAN3: get returns every annotation oldest first, paged by limit', async () => {
    const channel = realtime('pager').channels.get('mutable:paging', { modes: MODES });
    const { serials } = await channel.publish('message', 'foobar');
    const serial = serials[0]!;
    const names = ['👍', '😕', '👎', '👍👍', '😕😕'];
    for (const name of names)
      await channel.annotations.publish(serial, { type: 'reaction:distinct.v1', name });
    const all = await channel.annotations.get(serial, {});
    expect(all.items.map((a) => a.name)).toEqual(names);
    expect(all.items[1]!.serial! > all.items[0]!.serial!).toBe(true);
    let page = await rest().channels.get('mutable:paging').annotations.get(serial, { limit: 2 });
    const seen: string[] = [];
    for (;;) {
      seen.push(...page.items.map((a) => a.name!));
      if (!page.hasNext()) break;
      page = (await page.next())!;
    }
    expect(seen).toEqual(names);
  });

  it('TM7: each summarization method aggregates as specified; deletes take contributions off', async () => {
    const ch = 'mutable:methods';
    const { serials } = await rest().channels.get(ch).publish('m', 'x');
    const serial = serials[0]!;
    const as = (clientId?: string) => rest(clientId).channels.get(ch).annotations;
    await as('a').publish(serial, { type: 'r:unique.v1', name: 'up' });
    await as('a').publish(serial, { type: 'r:unique.v1', name: 'down' });
    await as('b').publish(serial, { type: 'r:unique.v1', name: 'down' });
    await as('a').publish(serial, { type: 'v:multiple.v1', name: 'x', count: 3 });
    await as('b').publish(serial, { type: 'v:multiple.v1', name: 'x' });
    await as().publish(serial, { type: 'v:multiple.v1', name: 'x', count: 2 });
    await as('a').publish(serial, { type: 'f:flag.v1' });
    await as('b').publish(serial, { type: 'f:flag.v1' });
    await as('b').delete(serial, { type: 'f:flag.v1' });
    await as().publish(serial, { type: 't:total.v1' });
    await as().publish(serial, { type: 't:total.v1' });
    await as('a').publish(serial, { type: 'd:distinct.v1', name: 'n' });
    await as('a').delete(serial, { type: 'd:distinct.v1', name: 'n' });
    const message = await rest().channels.get(ch).getMessage(serial);
    expect(message.annotations?.summary).toEqual({
      'r:unique.v1': { down: { total: 2, clientIds: ['a', 'b'], clipped: false } },
      'v:multiple.v1': {
        x: {
          total: 6,
          clientIds: { a: 3, b: 1 },
          totalUnidentified: 2,
          clipped: false,
          totalClientIds: 2,
        },
      },
      'f:flag.v1': { total: 1, clientIds: ['a'], clipped: false },
      't:total.v1': { total: 2 },
      'd:distinct.v1': {},
    });
    const history = await rest().channels.get(ch).history();
    expect(history.items[0]!.annotations?.summary['t:total.v1']).toEqual({ total: 2 });
  });

  it('bad targets and rights: unknown message 40400, no mutable rule 93002, no capability 40160, anonymous distinct 40012', async () => {
    const channel = realtime('bad').channels.get('mutable:bad', { modes: MODES });
    await channel.attach();
    await expect(
      channel.annotations.publish('nope.000000001:0', { type: 'reaction:distinct.v1', name: 'x' }),
    ).rejects.toMatchObject({ code: 40400, statusCode: 404 });
    await expect(
      rest('bad').channels.get('mutable:bad').annotations.publish('nope', {
        type: 'reaction:distinct.v1',
        name: 'x',
      }),
    ).rejects.toMatchObject({ code: 40400, statusCode: 404 });
    const { serials } = await rest().channels.get('plain').publish('m', 'x');
    await expect(
      rest('bad').channels.get('plain').annotations.publish(serials[0]!, { type: 'r:flag.v1' }),
    ).rejects.toMatchObject({ code: 93002, statusCode: 400 });
    const own = await rest().channels.get('mutable:bad').publish('m', 'x');
    const limited = new Ably.Rest(
      realtimeOptions(server(), format, { key: server().keys[1]!.keyStr, clientId: 'lim' }),
    );
    await expect(
      limited.channels
        .get('mutable:bad')
        .annotations.publish(own.serials[0]!, { type: 'r:flag.v1' }),
    ).rejects.toMatchObject({ code: 40160, statusCode: 401 });
    await expect(
      rest().channels.get('mutable:bad').annotations.publish(own.serials[0]!, {
        type: 'r:distinct.v1',
        name: 'x',
      }),
    ).rejects.toMatchObject({ code: 40012, statusCode: 400 });
    // The connection survives every refusal.
    await channel.annotations.publish(own.serials[0]!, { type: 'r:flag.v1' });
  });
});
