import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Ably from 'ably';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** The engine's app reload period (APP_RELOAD_MS) plus room for a busy two-core machine. */
const RELOAD_WAIT_MS = 6000;
const COMMANDS = [
  'apps',
  'keys',
  'webhooks',
  'heartbeats',
  'token',
  'channels',
  'history',
  'events',
  'notifications',
  'stats',
];

const servers: ChildProcessWithoutNullStreams[] = [];
const clients: Ably.Realtime[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map(stopServer));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-admin-'));
  dirs.push(dir);
  return dir;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a separate process (not spawnSync: the test's own clients keep running). */
function cli(dataDir: string, ...args: string[]): Promise<Run> {
  const proc = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
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

/** Runs a command that must succeed and parses its `--json` output. */
async function cliJson<T>(dataDir: string, ...args: string[]): Promise<T> {
  const run = await cli(dataDir, ...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as T;
}

async function startServer(dataDir: string): Promise<number> {
  const proc = spawn(
    process.execPath,
    [CLI, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
    { env: { ...process.env, HOST: '' } },
  );
  servers.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 10_000);
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /listening on http:\/\/\S+:(\d+) /.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
  });
}

/** SIGTERM, then the exit: the server writes what is pending (stats, registry) as it stops. */
function stopServer(proc: ChildProcessWithoutNullStreams): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  return exited;
}

function realtime(port: number, auth: { key: string } | { token: string }): Ably.Realtime {
  const rt = new Ably.Realtime({
    ...auth,
    endpoint: '127.0.0.1',
    port,
    tls: false,
    logLevel: 0,
  });
  clients.push(rt);
  return rt;
}

/** Retries `check` until it passes or `withinMs` has gone by (then its last failure is thrown). */
async function eventually(check: () => Promise<unknown>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

interface CreatedApp {
  appId: string;
  keys: { keyName: string; keyStr: string; capability: string }[];
}

describe('switchboard operator commands', () => {
  it('every command explains itself with --help, and the top-level --help lists them', async () => {
    const dir = tempDir();
    const top = await cli(dir, '--help');
    for (const name of COMMANDS) {
      expect(top.stdout).toContain(`  ${name} `);
      const help = await cli(dir, name, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`Usage: switchboard ${name}`);
      for (const flag of ['--data-dir', '--json', '--help']) expect(help.stdout).toContain(flag);
    }
  });

  it('apps and keys are created and listed as aligned tables and as JSON', async () => {
    const dir = tempDir();
    const created = await cli(dir, 'apps', 'create', '--id', 'shop', '--persisted', 'chat');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^app\s+shop$/m);
    const fullKey = /^key\s+(shop\.\S+:\S+)$/m.exec(created.stdout)?.[1];
    expect(fullKey).toBeDefined();

    const table = (await cli(dir, 'apps', 'list')).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^APP\s+CREATED\s+KEYS\s+NAMESPACES$/);
    expect(table[1]).toMatch(/^shop\s+\S+Z\s+1\s+chat \(persisted\)$/);
    // Aligned: every column starts where its header does.
    expect(table[1]!.indexOf('1  ')).toBe(table[0]!.indexOf('KEYS'));

    const key = await cliJson<{ keyStr: string; capability: string }>(
      dir,
      'keys',
      'create',
      '--capability',
      '{"chat:*":["subscribe","publish"]}',
    );
    expect(key.capability).toBe('{"chat:*":["publish","subscribe"]}');
    const keys = await cliJson<{ keyName: string; capability: unknown }[]>(dir, 'keys', 'list');
    expect(keys.map((k) => k.keyName)).toEqual([fullKey!.split(':')[0], key.keyStr.split(':')[0]]);
    expect(keys[1]!.capability).toEqual({ 'chat:*': ['publish', 'subscribe'] });
    const keyTable = (await cli(dir, 'keys', 'list')).stdout;
    expect(keyTable).toMatch(/^KEY NAME\s+CAPABILITY\s+REVOCABLE TOKENS$/m);
    expect(keyTable).not.toContain(key.keyStr.split(':')[1]);

    const apps = await cliJson<{ appId: string; namespaces: unknown[] }[]>(dir, 'apps', 'list');
    expect(apps).toEqual([
      expect.objectContaining({ appId: 'shop', namespaces: [{ id: 'chat', persisted: true }] }),
    ]);
  });

  it('mistakes are one line on stderr with exit code 2; an empty listing is a table and exit 0', async () => {
    const dir = tempDir();
    const missing = await cli(dir, 'apps', 'list');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no Switchboard database');
    await cli(dir, 'apps', 'create', '--id', 'one');
    await cli(dir, 'apps', 'create', '--id', 'two');
    const cases: [string[], string][] = [
      [['launch'], 'unknown command: launch'],
      [['apps', 'frobnicate'], 'unknown apps command'],
      [['apps', 'delete'], 'needs the app id'],
      [['apps', 'create', '--id', 'one'], 'already exists'],
      [['keys', 'list', '--app', 'nope'], 'unknown app: nope'],
      [['keys', 'list'], 'name one with --app'],
      [['keys', 'revoke', 'one.nokey'], 'unknown key: one.nokey'],
      [['token', '--key', 'one.nokey'], 'unknown key'],
      [['token', '--app', 'one', '--capability', '{"x":'], 'Invalid capability'],
      [['token', '--app', 'one', '--ttl', '0'], 'Invalid ttl'],
      [['events', '--app', 'one', '--since', 'yesterday'], 'invalid time'],
      [['stats', '--app', 'one', '--unit', 'week'], '--unit'],
      [['channels', '--app', 'one', '--frob'], "Unknown option '--frob'"],
      [['token', '--app', 'one', '--ttl', '-5'], "Option '--ttl' argument is ambiguous"],
    ];
    for (const [args, message] of cases) {
      const run = await cli(dir, ...args);
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr).toContain(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    }
    for (const command of ['channels', 'events', 'stats']) {
      const run = await cli(dir, command, '--app', 'one');
      expect(run.status).toBe(0);
      expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(await cliJson(dir, command, '--app', 'one')).toEqual([]);
    }
    const history = await cli(dir, 'history', 'x', '--app', 'one');
    expect(history.status).toBe(0);
    expect(history.stdout.trimEnd()).toMatch(/^TIME\s+NAME\s+CLIENT\s+DATA\s+ID$/);
    expect(history.stderr).toContain('not in a persisted namespace');
  });

  it('a token minted offline by the CLI connects with the official client, its capability intersected with the key’s (RSA10)', async () => {
    const dir = tempDir();
    await cli(
      dir,
      'apps',
      'create',
      '--id',
      'tok',
      '--spec',
      '{"keys":[{"capability":{"chat:*":["subscribe","publish"]}}]}',
    );
    const port = await startServer(dir);
    const details = await cliJson<{
      token: string;
      capability: string;
      clientId: string;
      expires: number;
      issued: number;
    }>(dir, 'token', '--client-id', 'ada', '--capability', '{"*":["subscribe"]}', '--ttl', '60000');
    expect(details.capability).toBe('{"chat:*":["subscribe"]}');
    expect(details.expires - details.issued).toBe(60_000);
    const rt = realtime(port, { token: details.token });
    await rt.connection.once('connected');
    expect(rt.auth.clientId).toBe('ada');
    await rt.channels.get('chat:1').attach();
    await expect(rt.channels.get('other').attach()).rejects.toMatchObject({ code: 40160 });
    await expect(rt.channels.get('chat:1').publish('m', 'x')).rejects.toMatchObject({
      code: 40160,
    });
    // The table form carries the whole token too.
    const table = await cli(dir, 'token', '--client-id', 'ada');
    expect(table.stdout).toMatch(/^token\s+sbt1\.\S+$/m);
  });

  it('keys created and revoked by the CLI reach a running server within the reload delay', async () => {
    const dir = tempDir();
    await cli(dir, 'apps', 'create', '--id', 'live');
    const port = await startServer(dir);
    const { keyStr } = await cliJson<{ keyStr: string }>(dir, 'keys', 'create');
    const rest = new Ably.Rest({ key: keyStr, endpoint: '127.0.0.1', port, tls: false });
    await eventually(() => rest.channels.get('a').publish('m', 'x'), RELOAD_WAIT_MS);

    const rt = realtime(port, { key: keyStr });
    await rt.connection.once('connected');
    const failed = new Promise<Ably.ConnectionStateChange>((resolve) =>
      rt.connection.once('failed', resolve),
    );
    const revokedAt = Date.now();
    const revoke = await cli(dir, 'keys', 'revoke', keyStr);
    expect(revoke.stdout).toContain(`revoked key ${keyStr.split(':')[0]}`);
    const change = await failed;
    expect(change.reason?.code).toBe(40131);
    expect(Date.now() - revokedAt).toBeLessThan(RELOAD_WAIT_MS);
    await expect(rest.channels.get('a').publish('m', 'x')).rejects.toMatchObject({ code: 40101 });
    const keys = await cliJson<{ keyName: string }[]>(dir, 'keys', 'list');
    expect(keys.map((k) => k.keyName)).not.toContain(keyStr.split(':')[0]);
  });

  it('an app deleted by the CLI ends its connections on a running server, as DELETE /apps does', async () => {
    const dir = tempDir();
    const created = await cliJson<CreatedApp>(dir, 'apps', 'create', '--id', 'doomed');
    const port = await startServer(dir);
    const rt = realtime(port, { key: created.keys[0]!.keyStr });
    await rt.connection.once('connected');
    const failed = new Promise<Ably.ConnectionStateChange>((resolve) =>
      rt.connection.once('failed', resolve),
    );
    const deleted = await cli(dir, 'apps', 'delete', 'doomed');
    expect(deleted.status).toBe(0);
    expect((await failed).reason?.code).toBe(40400);
    expect(await cliJson(dir, 'apps', 'list')).toEqual([]);
    // An app created while the server runs is served too.
    const next = await cliJson<CreatedApp>(dir, 'apps', 'create');
    const rest = new Ably.Rest({
      key: next.keys[0]!.keyStr,
      endpoint: '127.0.0.1',
      port,
      tls: false,
    });
    await eventually(() => rest.channels.get('a').publish('m', 'x'), RELOAD_WAIT_MS);
  });

  it('notifications: the log of notify and nudge decisions, filtered by recipient and time', async () => {
    const dir = tempDir();
    const app = await cliJson<CreatedApp>(dir, 'apps', 'create');
    const port = await startServer(dir);
    const rest = new Ably.Rest({
      key: app.keys[0]!.keyStr,
      clientId: 'alice',
      endpoint: '127.0.0.1',
      port,
      tls: false,
      logLevel: 0,
    });
    for (const recipientClientId of ['bob', 'carol']) {
      const res = await rest.request(
        'POST',
        '/notify',
        3,
        {},
        {
          channel: 'session:s1',
          recipientClientId,
          event: 'partner.advanced',
          kind: 'nudge',
        },
      );
      expect(res.statusCode).toBe(200);
    }
    const again = await rest.request(
      'POST',
      '/notify',
      3,
      {},
      {
        channel: 'session:s1',
        recipientClientId: 'bob',
        event: 'partner.advanced',
        kind: 'nudge',
      },
    );
    expect(again.statusCode).toBe(429);
    const rows = await cliJson<{ recipientClientId: string; outcome: string; kind: string }[]>(
      dir,
      'notifications',
      '--recipient',
      'bob',
      '--since',
      '10m',
    );
    expect(rows.map((r) => [r.recipientClientId, r.kind, r.outcome])).toEqual([
      ['bob', 'nudge', 'none'],
      ['bob', 'nudge', 'suppressed'],
    ]);
    const table = (await cli(dir, 'notifications', '--limit', '1')).stdout;
    expect(table).toMatch(
      /^TIME\s+KIND\s+EVENT\s+FROM\s+TO\s+OUTCOME\s+DEVICES\s+CHANNEL\s+REASON$/m,
    );
    expect(table).toMatch(/\snudge\s+partner\.advanced\s+alice\s+bob\s+suppressed\s/);
    expect(await cliJson(dir, 'notifications', '--since', String(Date.now() + 60_000))).toEqual([]);
  });

  it('history, events, channels and stats come from the store, while the server runs and after it stopped', async () => {
    const dir = tempDir();
    const app = await cliJson<CreatedApp>(dir, 'apps', 'create', '--persisted', 'chat');
    const server = await startServer(dir);
    const rt = realtime(server, { key: app.keys[0]!.keyStr });
    const channel = rt.channels.get('chat:room');
    await channel.attach();
    for (const n of [1, 2, 3]) await channel.publish(`m${n}`, `hello ${n}`);
    await rt.channels.get('scratch').publish('tmp', 'not persisted');

    await eventually(async () => {
      const history = await cliJson<{ name: string; data: string }[]>(dir, 'history', 'chat:room');
      expect(history.map((m) => m.name)).toEqual(['m3', 'm2', 'm1']);
    }, 5000);
    const forwards = await cliJson<{ name: string; data: string }[]>(
      dir,
      'history',
      'chat:room',
      '--direction',
      'forwards',
      '--limit',
      '2',
    );
    expect(forwards.map((m) => [m.name, m.data])).toEqual([
      ['m1', 'hello 1'],
      ['m2', 'hello 2'],
    ]);
    const historyTable = (await cli(dir, 'history', 'chat:room')).stdout;
    expect(historyTable).toMatch(/^TIME\s+NAME\s+CLIENT\s+DATA\s+ID$/m);
    expect(historyTable).toMatch(/\sm3\s+hello 3\s/);

    await eventually(async () => {
      const events = await cliJson<{ channel: string; name: string; source: string }[]>(
        dir,
        'events',
        '--since',
        '10m',
      );
      expect(events.map((e) => [e.channel, e.name, e.source])).toEqual([
        ['chat:room', 'm1', 'realtime'],
        ['chat:room', 'm2', 'realtime'],
        ['chat:room', 'm3', 'realtime'],
        ['scratch', 'tmp', 'realtime'],
      ]);
    }, 5000);
    const onlyRoom = await cliJson<unknown[]>(
      dir,
      'events',
      '--channel',
      'chat:room',
      '--limit',
      '2',
    );
    expect(onlyRoom).toHaveLength(2);
    expect(await cliJson(dir, 'events', '--since', String(Date.now() + 60_000))).toEqual([]);

    await eventually(async () => {
      const active = await cliJson<{ name: string; active: boolean }[]>(dir, 'channels');
      expect(active.map((c) => c.name)).toContain('chat:room');
    }, 5000);
    expect(
      (await cliJson<{ name: string }[]>(dir, 'channels', '--all', '--prefix', 'chat:')).map(
        (c) => c.name,
      ),
    ).toEqual(['chat:room']);

    rt.close();
    await stopServer(servers.pop()!);
    const channels = (await cli(dir, 'channels', '--all')).stdout;
    expect(channels).toMatch(/^CHANNEL\s+ACTIVE\s+FIRST ACTIVITY\s+LAST ACTIVITY$/m);
    expect(channels).toMatch(/^chat:room\s+no\s/m);
    expect(channels).toMatch(/^scratch\s+no\s/m);
    const stats = await cliJson<{ unit: string; entries: Record<string, number> }[]>(
      dir,
      'stats',
      '--unit',
      'hour',
    );
    const total = (key: string): number => stats.reduce((n, s) => n + (s.entries[key] ?? 0), 0);
    expect(total('messages.inbound.all.messages.count')).toBe(4);
    expect(stats.every((s) => s.unit === 'hour')).toBe(true);
    const statsTable = (await cli(dir, 'stats', '--since', '1h')).stdout;
    expect(statsTable).toMatch(/^INTERVAL\s+IN\s+IN BYTES\s+IN REALTIME\s+IN REST\s+OUT$/m);
    // History outlives the server: the CLI reads it straight from the database.
    expect(await cliJson<unknown[]>(dir, 'history', 'chat:room')).toHaveLength(3);
  });
});
