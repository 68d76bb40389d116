import { rawClient } from '@switchboard/testkit';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { Ably, collect, realtimeOptions, useServer } from './helpers.js';

interface Family {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; count?: string }[];
}

async function scrape(port: number): Promise<Map<string, Family>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const families = parsePrometheusTextFormat(await response.text()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

const value = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
  Number(
    families
      .get(name)
      ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ??
      NaN,
  );

describe('GET /metrics', () => {
  const { server, track } = useServer({ limits: { maxMessageSize: 1024 } });

  it('parses as Prometheus text and moves as clients connect, publish and are refused', async () => {
    const before = await scrape(server().port);
    expect(value(before, 'switchboard_connections', { format: 'json' })).toBe(0);
    expect(before.has('nodejs_eventloop_lag_seconds')).toBe(true);

    const rt = track(new Ably.Realtime(realtimeOptions(server(), 'json', { clientId: 'm' })));
    const channel = rt.channels.get('metered');
    const got = collect<Ably.Message>();
    await channel.subscribe((m) => got.push(m));
    await channel.presence.enter();
    for (let i = 0; i < 5; i++) await channel.publish('n', String(i));
    await got.until(5);
    await expect(channel.publish('big', 'x'.repeat(4096))).rejects.toMatchObject({ code: 40009 });

    const after = await scrape(server().port);
    expect(value(after, 'switchboard_connections', { format: 'json' })).toBe(1);
    expect(value(after, 'switchboard_channels')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'switchboard_presence_members')).toBe(1);
    expect(value(after, 'switchboard_messages_in_total')).toBe(5);
    expect(value(after, 'switchboard_deliveries_total')).toBe(5);
    expect(
      Number(after.get('switchboard_publish_deliver_latency_seconds')?.metrics[0]?.count),
    ).toBe(5);
    // The official client refuses the oversized publish itself: no NACK was needed.
    expect(value(after, 'switchboard_nacks_total', { code: '40009' })).toBeNaN();
  });

  it('counts NACKs and REST errors by code, with no secret or client in any label', async () => {
    const rest = new Ably.Rest({
      ...realtimeOptions(server(), 'json'),
      key: `${server().keys[0]!.keyName}:wrong`,
    });
    await expect(rest.channels.get('x').publish('n', 'd')).rejects.toMatchObject({ code: 40101 });
    const raw = await rawClient(server().port, { key: server().key });
    await raw.next((pm) => pm.action === 4);
    raw.send({ action: 15, channel: 'x', msgSerial: 0, messages: [{ data: 'y'.repeat(4096) }] });
    await raw.next((pm) => pm.action === 2);
    raw.close();
    const text = await (await fetch(`http://127.0.0.1:${server().port}/metrics`)).text();
    const families = new Map((parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f]));
    expect(value(families, 'switchboard_errors_total', { code: '40101' })).toBe(1);
    expect(value(families, 'switchboard_nacks_total', { code: '40009' })).toBe(1);
    expect(text).not.toContain(server().keys[0]!.secret);
    expect(text).not.toContain(server().keys[0]!.keyName);
    expect(text).not.toContain('metered');
  });
});
