import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Ably from 'ably';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const running: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGTERM');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(
  args: string[],
  env: Record<string, string> = {},
  bindHost: string | null = '127.0.0.1',
): Promise<{ out: string; port: number; proc: ChildProcessWithoutNullStreams }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  dirs.push(dataDir);
  const hostArgs = bindHost ? ['--host', bindHost] : [];
  const proc = spawn(
    process.execPath,
    [CLI, '--port', '0', ...hostArgs, '--data-dir', dataDir, ...args],
    {
      env: { ...process.env, HOST: '', ...env },
    },
  );
  running.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 10_000);
    // Both streams: in JSON log mode the development key snippet goes to stderr.
    const onData = (d: Buffer): void => {
      out += d.toString();
      const port = /listening on http:\/\/\S+:(\d+) /.exec(out)?.[1];
      if (port && (out.includes('endpoint') || !out.includes('Development key'))) {
        clearTimeout(timer);
        setTimeout(() => resolve({ out, port: Number(port), proc }), 50);
      }
    };
    proc.stderr.on('data', onData);
    proc.stdout.on('data', onData);
  });
}

describe('switchboard CLI', () => {
  it('--help explains every option', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    for (const flag of ['--port', '--data-dir', '--config', '--production', '--help'])
      expect(result.stdout).toContain(flag);
  });

  it('--help says how to choose PostgreSQL instead of SQLite', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.stdout).toMatch(/DATABASE_URL.*"databaseUrl"/s);
    expect(result.stdout).toContain('SWITCHBOARD_DATABASE_SCHEMA');
  });

  it('a first start creates a development app and prints a key the official client connects with', async () => {
    const { out, port } = await start([]);
    const key = /Development key: (\S+)/.exec(out)?.[1];
    expect(key).toMatch(/^dev\.[^:]+:.+$/);
    expect(out).toContain("endpoint: 'localhost'");
    const rt = new Ably.Realtime({
      key: key!,
      endpoint: '127.0.0.1',
      port,
      tls: false,
      logLevel: 0,
    });
    await rt.connection.once('connected');
    rt.close();
  });

  it('production mode refuses POST /apps without the admin secret and accepts it with', async () => {
    const { port } = await start(['--production'], {
      SWITCHBOARD_ADMIN_SECRET: 'admin-secret-for-tests',
    });
    const url = `http://127.0.0.1:${port}/apps`;
    const body = JSON.stringify({ keys: [{}] });
    const denied = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.code).toBe(40300);
    const created = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-switchboard-admin-secret': 'admin-secret-for-tests',
      },
    });
    expect(created.status).toBe(201);
    const app = (await created.json()) as { keys: { keyStr: string }[] };
    const rest = new Ably.Rest({
      key: app.keys[0]!.keyStr,
      endpoint: '127.0.0.1',
      port,
      tls: false,
    });
    await rest.channels.get('x').publish('a', 'b');
  });

  it('development mode binds 127.0.0.1 by default and the log names the bound address', async () => {
    const { out, port } = await start([], {}, null);
    expect(out).toContain(`listening on http://127.0.0.1:${port} `);
    // Not reachable on any other interface this machine has.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const reached = await new Promise<boolean>((resolve) => {
        const s = connect(port, external.address, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      expect(reached).toBe(false);
    }
  });

  it('HOST (or --host) overrides the development default', async () => {
    const { out, port } = await start([], { HOST: '0.0.0.0' }, null);
    expect(out).toContain(`listening on http://0.0.0.0:${port} `);
  });

  it('production mode binds all interfaces by default', async () => {
    const { out } = await start(
      ['--production'],
      { SWITCHBOARD_ADMIN_SECRET: 'x'.repeat(16) },
      null,
    );
    expect(out).toMatch(/listening on http:\/\/(0\.0\.0\.0|\[::\]):\d+ /);
  });

  it('--help says where each mode binds', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.stdout).toContain('127.0.0.1');
    expect(result.stdout).toMatch(/all interfaces/);
  });

  it('--production without an admin secret prints one clear warning', async () => {
    const { out } = await start(['--production'], { SWITCHBOARD_ADMIN_SECRET: '' });
    const warnings = out.split('\n').filter((l) => /warn/i.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('SWITCHBOARD_ADMIN_SECRET');
    expect(warnings[0]).toContain('POST /apps');
  });

  it('an invalid port is refused with a clear message', () => {
    const result = spawnSync(process.execPath, [CLI, '--port', 'ninety'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid port');
  });
});
