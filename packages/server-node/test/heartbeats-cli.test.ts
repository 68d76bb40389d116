import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, startSwitchboard } from '@switchboard/server-node';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchboard-heartbeats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [CLI, ...args, '--data-dir', join(dir, 'data')], {
    env: { ...process.env, SWITCHBOARD_DATA_DIR: '', SWITCHBOARD_CONFIG: '' },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    proc.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

/** Times of the first `n` heartbeat events of an SSE stream. */
function heartbeatTimes(port: number, path: string, n: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const line of chunk.split('\n'))
          if (line.startsWith('data: {"type":"heartbeat"')) times.push(Date.now());
        if (times.length >= n) {
          req.destroy();
          resolve(times.slice(0, n));
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => reject(new Error(`only ${times.length} heartbeats`)));
    req.end();
  });
}

describe('switchboard heartbeats', () => {
  it('--help explains it; set, list and remove edit the table a server streams by', async () => {
    const help = await cli('heartbeats', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: switchboard heartbeats list/);
    expect(help.stdout).toMatch(/channel type/);

    const set = await cli('heartbeats', 'set', 'ticker', '--interval', '200', '--timeout', '600');
    expect(set.stderr).toBe('');
    expect(set.status).toBe(0);
    const listed = await cli('heartbeats', 'list', '--json');
    const rows = JSON.parse(listed.stdout) as { channelType: string }[];
    expect(rows).toContainEqual({ channelType: 'ticker', intervalMs: 200, timeoutMs: 600 });
    expect(rows).toContainEqual({ channelType: 'system', intervalMs: 60_000, timeoutMs: 180_000 });
    expect((await cli('heartbeats', 'list')).stdout).toMatch(/ticker\s+200\s+600/);

    for (const bad of [
      ['heartbeats', 'set', 'ticker', '--interval', '10', '--timeout', '600'],
      ['heartbeats', 'set', 'ticker', '--interval', 'soon', '--timeout', '600'],
      ['heartbeats', 'set', 'ticker', '--interval', '200'],
      ['heartbeats', 'remove', 'never-set'],
      ['heartbeats', 'frobnicate'],
    ]) {
      const refused = await cli(...bad);
      expect(refused.status, bad.join(' ')).toBe(2);
      expect(refused.stderr).not.toMatch(/at .*\.js/);
    }

    const sb = await startSwitchboard(loadConfig({ port: '0', dataDir: join(dir, 'data') }, {}));
    try {
      const key = sb.engine.apps.list()[0]!.record.keys[0]!;
      const path = `/sse?v=1.2&channels=ticker:1&key=${encodeURIComponent(`${key.keyName}:${key.secret}`)}`;
      const times = await heartbeatTimes(sb.port, path, 4);
      const mean = (times[3]! - times[0]!) / 3;
      expect(mean).toBeGreaterThan(120);
      expect(mean).toBeLessThan(600);
    } finally {
      await sb.close();
    }
    const removed = await cli('heartbeats', 'remove', 'ticker');
    expect(removed.status).toBe(0);
    const after = JSON.parse((await cli('heartbeats', 'list', '--json')).stdout) as {
      channelType: string;
    }[];
    expect(after.map((r) => r.channelType)).not.toContain('ticker');
  });
});
