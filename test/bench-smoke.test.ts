import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface BenchRow {
  scenario: string;
  server: string;
  failed?: string;
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
      { cwd: root, timeout: 25_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { results: BenchRow[] });
      },
    );
  });
}

describe('bench tool', () => {
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
