import { describe, expect, it } from 'vitest';
import { Ably, FORMATS, collect, realtimeOptions, useServer } from './helpers.js';

describe.each(FORMATS)('history and rewind over %s', (format) => {
  const { server, track } = useServer();

  it('RSL2/TG: history pages backwards with Link pagination, and forwards', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const channel = rest.channels.get('history:paged');
    for (let i = 0; i < 12; i++) await channel.publish('n', String(i));
    const page1 = await channel.history({ limit: 5 });
    expect(page1.items.map((m) => m.data)).toEqual(['11', '10', '9', '8', '7']);
    expect(page1.hasNext()).toBe(true);
    const page2 = await page1.next();
    expect(page2!.items.map((m) => m.data)).toEqual(['6', '5', '4', '3', '2']);
    const page3 = await page2!.next();
    expect(page3!.items.map((m) => m.data)).toEqual(['1', '0']);
    expect(page3!.hasNext()).toBe(false);
    expect(page3!.isLast()).toBe(true);

    const forwards = await channel.history({ limit: 7, direction: 'forwards' });
    expect(forwards.items.map((m) => m.data)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    const rest2 = await forwards.next();
    expect(rest2!.items.map((m) => m.data)).toEqual(['7', '8', '9', '10', '11']);
    for (const m of page1.items) expect(m.id).toBeTruthy();
  });

  it('RSL2b1: history honours start and end', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    const channel = rest.channels.get('history:window');
    await channel.publish('before', 'a');
    await new Promise((r) => setTimeout(r, 20));
    const start = Date.now();
    await channel.publish('inside', 'b');
    const end = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await channel.publish('after', 'c');
    const page = await channel.history({ start, end });
    expect(page.items.map((m) => m.name)).toEqual(['inside']);
  });

  it('RTL10: realtime history sees what was published', async () => {
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get('history:realtime');
    await channel.publish('one', { n: 1 });
    await channel.publish('two', { n: 2 });
    const page = await channel.history();
    expect(page.items.map((m) => [m.name, m.data])).toEqual([
      ['two', { n: 2 }],
      ['one', { n: 1 }],
    ]);
  });

  it('RTL4k: rewind by count delivers the last messages on attach, then live ones', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    for (let i = 0; i < 5; i++) await rest.channels.get('rewind:count').publish('n', String(i));
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const channel = rt.channels.get('rewind:count', { params: { rewind: '2' } });
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    await got.until(2);
    await rest.channels.get('rewind:count').publish('n', 'live');
    await got.until(3);
    expect(got.items.map((m) => m.data)).toEqual(['3', '4', 'live']);
    expect(channel.params).toEqual({ rewind: '2' });
  });

  it('RTL4k: rewind by duration delivers recent messages only', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    await rest.channels.get('rewind:time').publish('n', 'recent');
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const got = collect<Ably.Message>();
    await rt.channels
      .get('rewind:time', { params: { rewind: '1m' } })
      .subscribe((m) => got.push(m));
    expect((await got.until(1)).map((m) => m.data)).toEqual(['recent']);
  });
});

describe.each(FORMATS)('qualified channel names over %s', (format) => {
  const { server, track } = useServer();

  it('RTL4k: a [?rewind=1] name gets the backlog and live messages under the name it attached with', async () => {
    const rest = new Ably.Rest(realtimeOptions(server(), format));
    await rest.channels.get('qualified').publish('n', 'old');
    const rt = track(new Ably.Realtime(realtimeOptions(server(), format)));
    const got = collect<Ably.Message>();
    await rt.channels.get('[?rewind=1]qualified').subscribe((m) => got.push(m));
    await got.until(1);
    await rest.channels.get('qualified').publish('n', 'new');
    expect((await got.until(2)).map((m) => m.data)).toEqual(['old', 'new']);
  });
});
