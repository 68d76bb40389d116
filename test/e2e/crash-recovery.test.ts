import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ably, collect } from './helpers.js';
import { spawnServer, type ServerProcess } from './server-process.js';

const PUBLISHERS = 4;
const PER_PUBLISHER = 2500;
const IN_FLIGHT = 100;
const CHANNEL = 'crash:room';

/** A config with a fixed key, so the restarted process serves the same app and the same key. */
function writeConfig(dir: string): string {
  const path = join(dir, 'config.json');
  const config = {
    apps: [{ id: 'crash', keys: [{ name: 'k', secret: 'crash-test-secret-0123456789' }] }],
    persistAllChannels: true,
    limits: { maxInboundRate: 100_000 },
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** Publishes `count` messages with ids and per-publisher sequence numbers, `IN_FLIGHT` at a time. */
async function publishAll(client: Ably.Realtime, p: number, acked: Set<string>): Promise<number> {
  const channel = client.channels.get(CHANNEL);
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < PER_PUBLISHER; i++) {
    const data = `${p}:${i}`;
    const sent: Promise<void> = channel
      .publish({ id: `p${p}-${i}`, name: 'n', data })
      .then(
        () => void acked.add(data),
        () => void failed++,
      )
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return failed;
}

/** Checks a list holds each acknowledged message once and each publisher's messages in order. */
function verdict(received: string[], acked: Set<string>) {
  const counts = new Map<string, number>();
  for (const d of received) counts.set(d, (counts.get(d) ?? 0) + 1);
  const missing = [...acked].filter((d) => !counts.has(d)).length;
  const doubled = [...counts.values()].filter((n) => n > 1).length;
  const last = new Map<number, number>();
  let outOfOrder = 0;
  for (const d of received) {
    const [p, i] = d.split(':').map(Number) as [number, number];
    if (i <= (last.get(p) ?? -1)) outOfOrder++;
    last.set(p, i);
  }
  return { missing, doubled, outOfOrder };
}

describe('a server killed with SIGKILL mid-stream loses no acknowledged message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
  const dataDir = join(dir, 'data');
  const config = writeConfig(dir);
  const processes: ServerProcess[] = [];
  const clients: Ably.Realtime[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const p of processes) await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every ACKed message is in history once, in publisher order, and reaches the subscriber once', async () => {
    const spawnOptions = { dataDir, keepData: true, expectDevKey: false };
    const first = await spawnServer(['-c', config], {}, spawnOptions);
    processes.push(first);
    const options = (format: 'json' | 'msgpack'): Ably.ClientOptions => ({
      endpoint: '127.0.0.1',
      port: first.port,
      tls: false,
      key: 'crash.k:crash-test-secret-0123456789',
      useBinaryProtocol: format === 'msgpack',
      disconnectedRetryTimeout: 250,
      suspendedRetryTimeout: 500,
      logLevel: 0,
    });
    const subscriber = new Ably.Realtime(options('msgpack'));
    clients.push(subscriber);
    const got = collect<string>();
    await subscriber.channels.get(CHANNEL).subscribe((m) => got.push(m.data as string));

    const acked = new Set<string>();
    const publishers = Array.from({ length: PUBLISHERS }, (_, p) => {
      const client = new Ably.Realtime(options(p % 2 === 0 ? 'msgpack' : 'json'));
      clients.push(client);
      return publishAll(client, p, acked);
    });
    await got.until(PUBLISHERS * PER_PUBLISHER * 0.25, 30_000);
    await first.kill();
    const ackedBeforeKill = acked.size;
    const second = await spawnServer(['-c', config], {}, { ...spawnOptions, port: first.port });
    processes.push(second);
    const failures = (await Promise.all(publishers)).reduce((a, b) => a + b, 0);

    const rest = new Ably.Rest({ ...options('json') });
    const history: string[] = [];
    let page = await rest.channels.get(CHANNEL).history({ direction: 'forwards', limit: 1000 });
    for (;;) {
      history.push(...page.items.map((m) => m.data as string));
      if (!page.hasNext()) break;
      page = (await page.next())!;
    }
    const stored = verdict(history, acked);
    await got.until(acked.size, 30_000).catch(() => undefined);
    const delivered = verdict(got.items, acked);
    console.log(
      `crash test: ${acked.size} ACKed (${ackedBeforeKill} before the kill), ${failures} refused; ` +
        `history ${history.length} ${JSON.stringify(stored)}; subscriber ${got.items.length} ${JSON.stringify(delivered)}`,
    );
    expect(acked.size).toBeGreaterThan(ackedBeforeKill);
    expect(stored).toEqual({ missing: 0, doubled: 0, outOfOrder: 0 });
    expect(delivered).toEqual({ missing: 0, doubled: 0, outOfOrder: 0 });
  }, 120_000);
});
