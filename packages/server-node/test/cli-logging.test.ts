import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Ably from 'ably';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const running: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A port free right now: with the info lines silenced, the listening line cannot tell it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Proc {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly port: number;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit: the drain's own lines are written by then. */
  stop(): Promise<void>;
}

/** Spawns the CLI on a chosen port and waits until `/health` answers. */
async function spawnCli(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-log-'));
  dirs.push(dataDir);
  const proc = spawn(
    process.execPath,
    [CLI, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, ...args],
    { env: { ...process.env, HOST: '', SWITCHBOARD_LOG_LEVEL: '', ...env } },
  );
  running.push(proc);
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${out}${err}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    // The development key snippet follows the listening line; wait for it too.
    if (ok && (`${out}${err}`.includes('endpoint') || args.includes('--production'))) break;
    if (Date.now() > deadline) throw new Error(`no start: ${out}${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    port,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Every stdout line parsed; a line that is not JSON fails the test here. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function connectAndClose(port: number, key: string): Promise<string> {
  const rt = new Ably.Realtime({ key, endpoint: '127.0.0.1', port, tls: false, logLevel: 0 });
  await rt.connection.once('connected');
  const id = rt.connection.id!;
  await rt.channels.get('cli-log').publish('n', 'cli-payload-not-logged');
  rt.close();
  await rt.connection.once('closed');
  return id;
}

describe('switchboard CLI logs', () => {
  it('by default every stdout line is a JSON log entry: startup, connections, drain', async () => {
    const p = await spawnCli([]);
    const key = /Development key: (\S+)/.exec(p.stderr())?.[1];
    expect(key).toMatch(/^dev\.[^:]+:.+$/);
    const id = await connectAndClose(p.port, key!);
    await new Promise((r) => setTimeout(r, 100));
    await p.stop();
    const lines = jsonLines(p.stdout());
    const listening = lines.find((l) => String(l.msg).startsWith('listening on http://'));
    expect(listening).toMatchObject({ level: 'info', port: p.port, mode: 'development' });
    expect(typeof listening!.time).toBe('string');
    expect(lines.find((l) => l.msg === 'connection opened')).toMatchObject({
      connectionId: id,
      appId: 'dev',
      transport: 'websocket',
    });
    expect(lines.find((l) => l.msg === 'connection closed')).toMatchObject({
      connectionId: id,
      reason: 'closed by client',
    });
    expect(lines.some((l) => l.msg === 'drain finished, exiting')).toBe(true);
    // The development key is for the terminal (stderr), never for the log stream.
    const secret = key!.split(':')[1]!;
    expect(p.stdout()).not.toContain(secret);
    expect(p.stdout()).not.toContain('cli-payload-not-logged');
  });

  it('SWITCHBOARD_LOG_LEVEL=warn silences info lines and keeps warnings', async () => {
    const p = await spawnCli([], { SWITCHBOARD_LOG_LEVEL: 'warn' });
    const key = /Development key: (\S+)/.exec(p.stderr())![1]!;
    await connectAndClose(p.port, key);
    const wrong = new Ably.Realtime({
      key: `${key.split(':')[0]!}:wrong-secret`,
      endpoint: '127.0.0.1',
      port: p.port,
      tls: false,
      logLevel: 0,
    });
    await wrong.connection.once('failed');
    wrong.close();
    await new Promise((r) => setTimeout(r, 100));
    await p.stop();
    const lines = jsonLines(p.stdout());
    expect(lines.filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
    expect(lines.find((l) => l.msg === 'authentication failed')).toMatchObject({
      level: 'warn',
      code: 40101,
      on: 'connect',
    });
  });

  it('--log-pretty writes the plain lines people read', async () => {
    const p = await spawnCli(['--log-pretty']);
    await p.stop();
    expect(p.stdout()).toMatch(/^switchboard: listening on http:\/\/127\.0\.0\.1:\d+ /m);
    expect(p.stdout()).toContain('Development key: ');
    expect(p.stdout()).not.toMatch(/^\{/m);
  });

  it('an unknown log level is refused at start', () => {
    const result = spawnSync(process.execPath, [CLI, '--port', '0'], {
      encoding: 'utf8',
      env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'verbose' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid log level: verbose');
  });
});
