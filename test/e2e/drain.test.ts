import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ably, collect, useServer } from './helpers.js';
import { spawnServer, type ServerProcess } from './server-process.js';

const KEY = 'drain.k:drain-test-secret-0123456789';
const CHANNEL = 'persisted:drain';

describe('graceful drain on SIGTERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-drain-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      apps: [
        {
          id: 'drain',
          keys: [{ name: 'k', secret: 'drain-test-secret-0123456789' }],
          namespaces: [{ id: 'persisted', persisted: true }],
        },
      ],
      limits: { maxInboundRate: 100_000 },
    }),
  );
  const processes: ServerProcess[] = [];
  const clients: Ably.Realtime[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const p of processes) await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells clients to reconnect (80003), stores what is pending, and a second server on the same data loses nothing', async () => {
    const spawnOptions = { dataDir: join(dir, 'data'), keepData: true, expectDevKey: false };
    const first = await spawnServer(['-c', config], {}, spawnOptions);
    processes.push(first);
    const options: Ably.ClientOptions = {
      endpoint: '127.0.0.1',
      port: first.port,
      tls: false,
      key: KEY,
      disconnectedRetryTimeout: 250,
      logLevel: 0,
    };
    const subscriber = new Ably.Realtime(options);
    const publisher = new Ably.Realtime({ ...options, useBinaryProtocol: false });
    clients.push(subscriber, publisher);
    const got = collect<string>();
    await subscriber.channels.get(CHANNEL).subscribe((m) => got.push(m.data as string));
    const reasons: number[] = [];
    subscriber.connection.on('disconnected', (change) => reasons.push(change.reason?.code ?? 0));

    const acked: string[] = [];
    const channel = publisher.channels.get(CHANNEL);
    const publishing = (async () => {
      for (let i = 0; i < 600; i++) {
        const data = String(i);
        await channel.publish({ id: `m-${i}`, name: 'n', data }).then(() => acked.push(data));
      }
    })();
    await got.until(100);
    first.proc.kill('SIGTERM');
    await new Promise<void>((resolve) => first.proc.once('exit', () => resolve()));
    expect(first.proc.exitCode).toBe(0);
    expect(first.output()).toMatch(/SIGTERM received, draining/);

    const second = await spawnServer(['-c', config], {}, { ...spawnOptions, port: first.port });
    processes.push(second);
    await publishing;
    await got.until(acked.length, 20_000);
    expect(reasons).toContain(80003);
    expect(acked.length).toBe(600);
    expect(got.items).toEqual(acked);
  }, 60_000);
});

describe('health and readiness', () => {
  const { server } = useServer();

  it('GET /health is 200; GET /ready is 200, and 503 once draining', async () => {
    const base = `http://127.0.0.1:${server().port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    server().switchboard.engine.drain();
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { code: 50300 } });
  });
});
