import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface BenchRow {
  scenario: string;
  server: string;
  failed?: string;
  conns: number;
  rssPerConn: number;
  toAllMedian: number;
  clients: number;
  connectP95: number;
  messageP95: number;
  typingP95: number;
  expected: number;
  received: number;
  errors: number;
  delivered: number;
  published: number;
  p50: number;
  p99: number;
  samples: number;
  setup: number;
  serverCpu: number;
  clientCpu: number;
  storeMiB: number;
}

/** Runs the bench tool (it needs the built packages, which `npm test` builds first). */
function bench(args: string[]): Promise<{ results: BenchRow[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bench/run.mjs', ...args],
      { cwd: root, timeout: 55_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { results: BenchRow[] });
      },
    );
  });
}

// Each run takes a few seconds; the limits are generous for a machine shared with other builds.
describe('bench tool', { timeout: 60_000 }, () => {
  it('runs a tiny fan-out against Switchboard for about a second and reports figures', async () => {
    const { results } = await bench([
      '--scenarios=fanout',
      '--servers=sb-json',
      '--subs=5',
      '--duration=1',
      '--warmup=0.2',
      '--rounds=1',
      '--json',
      '--results=none',
    ]);
    expect(results).toHaveLength(1);
    const row = results[0]!;
    expect(row.failed).toBeUndefined();
    expect(row.scenario).toBe('fanout');
    // Non-zero figures only: nothing here depends on how fast this machine is.
    for (const figure of ['delivered', 'published', 'p50', 'p99', 'samples', 'setup'] as const) {
      expect(row[figure], figure).toBeGreaterThan(0);
    }
    expect(row.serverCpu + row.clientCpu).toBeGreaterThan(0);
  });

  it('runs (vi) with connections opened by a load process, and fans one message out to all', async () => {
    const { results } = await bench([
      '--scenario=connections',
      '--servers=sb-json',
      '--conns=50',
      '--messages=2',
      '--json',
      '--results=none',
    ]);
    expect(results).toHaveLength(1);
    const row = results[0]!;
    expect(row.failed).toBeUndefined();
    expect(row.conns).toBe(50);
    // Every one of the 50 connections reported its delivery of each message.
    expect(row.samples).toBe(100);
    expect(row.setup).toBeGreaterThan(0);
    expect(row.toAllMedian).toBeGreaterThan(0);
    expect(row.errors).toBe(0);
  });

  it('runs (vii) with official ably clients in conversations and checks every message arrived', async () => {
    const { results } = await bench([
      '--scenario=chat',
      '--servers=sb-json',
      '--clients=8',
      '--chat-seconds=1',
      '--chat-interval=200',
      '--json',
      '--results=none',
    ]);
    expect(results).toHaveLength(1);
    const row = results[0]!;
    expect(row.failed).toBeUndefined();
    expect(row.clients).toBe(8);
    expect(row.expected).toBeGreaterThan(0);
    expect(row.received).toBe(row.expected);
    for (const figure of ['connectP95', 'messageP95', 'typingP95'] as const) {
      expect(row[figure], figure).toBeGreaterThan(0);
    }
    expect(row.errors).toBe(0);
  });

  it('runs (iii) against a persisted Switchboard, whose SQLite database grows', async () => {
    const { results } = await bench([
      '--scenarios=channels',
      '--servers=sb-json-persisted',
      '--subs=10',
      '--channels=2',
      '--duration=1',
      '--warmup=0.2',
      '--rounds=1',
      '--json',
      '--results=none',
    ]);
    expect(results).toHaveLength(1);
    const row = results[0]!;
    expect(row.failed).toBeUndefined();
    expect(row.server).toBe('sb-json-persisted');
    for (const figure of ['delivered', 'published', 'p99', 'storeMiB'] as const) {
      expect(row[figure], figure).toBeGreaterThan(0);
    }
  });
});
