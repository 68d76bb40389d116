import { startTcpProxy } from '@switchboard/testkit';
import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import { Ably, collect, realtimeOptions, useServer } from './helpers.js';

describe('SSE with the eventsource npm package (WHATWG EventSource for Node)', () => {
  const { server } = useServer();

  it('receives messages, reconnects by itself after a cut and resumes with Last-Event-ID, no gap', async () => {
    const s = server();
    const proxy = await startTcpProxy(s.port);
    const source = new EventSource(
      `http://127.0.0.1:${proxy.port}/sse?v=1.2&channels=es-feed&key=${encodeURIComponent(s.key)}`,
    );
    try {
      const got = collect<{ name: string; data: string }>();
      let opens = 0;
      const opened = collect<number>();
      source.onopen = () => opened.push(++opens);
      source.onmessage = (e: MessageEvent<string>) => {
        const parsed = JSON.parse(e.data) as { type?: string; name: string; data: string };
        if (parsed.type !== 'heartbeat') got.push(parsed);
      };
      await opened.until(1);
      const channel = new Ably.Rest(realtimeOptions(s, 'json')).channels.get('es-feed');
      await channel.publish('a', '1');
      await got.until(1);
      proxy.dropAll();
      await channel.publish('b', '2');
      await channel.publish('c', '3');
      await opened.until(2, 20_000);
      await channel.publish('d', '4');
      const all = await got.until(4, 20_000);
      expect(all.map((m) => `${m.name}${m.data}`)).toEqual(['a1', 'b2', 'c3', 'd4']);
    } finally {
      source.close();
      await proxy.close();
    }
  });
});
