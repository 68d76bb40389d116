import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, startSwitchboard, type Switchboard } from '@switchboard/server-node';
import { postgresTestSchema } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Ably } from './helpers.js';

const db = await postgresTestSchema('e2e on PostgreSQL');
// Nothing may be written here: with DATABASE_URL the data directory is not used.
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-pg-e2e-'));
const running: Switchboard[] = [];
afterAll(async () => {
  for (const sb of running.splice(0)) await sb.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const title = db
  ? 'a server on PostgreSQL (DATABASE_URL)'
  : 'a server on PostgreSQL (skipped: PostgreSQL unreachable)';

describe.skipIf(!db)(title, () => {
  /** A server configured as an operator would: env DATABASE_URL and a config file's apps. */
  async function start(port = 0): Promise<Switchboard> {
    const config = loadConfig(
      { port: String(port), host: '127.0.0.1', dataDir },
      { DATABASE_URL: db!.url, SWITCHBOARD_DATABASE_SCHEMA: db!.schema },
    );
    const sb = await startSwitchboard({
      ...config,
      apps: [
        {
          id: 'pgapp',
          keys: [{ name: 'k1', secret: 'pg-secret' }],
          namespaces: [{ id: 'persisted', persisted: true }],
        },
      ],
    });
    running.push(sb);
    return sb;
  }

  const options = (sb: Switchboard): Ably.ClientOptions => ({
    key: 'pgapp.k1:pg-secret',
    endpoint: '127.0.0.1',
    port: sb.port,
    tls: false,
    disableConnectivityCheck: true,
    logLevel: 0,
  });

  it('RSL2: messages published to a persisted namespace are read back after a restart on the same schema', async () => {
    const first = await start();
    const rt = new Ably.Realtime({ ...options(first), clientId: 'writer' });
    const channel = rt.channels.get('persisted:pg-room');
    const serials: string[] = [];
    for (const data of ['one', 'two', Buffer.from([0, 1, 255])]) {
      const { serials: s } = await channel.publish('e', data);
      serials.push(...s.map(String));
    }
    rt.close();
    await first.close();
    running.splice(running.indexOf(first), 1);

    const second = await start();
    const rest = new Ably.Rest(options(second));
    const page = await rest.channels.get('persisted:pg-room').history({ direction: 'forwards' });
    expect(page.items.map((m) => m.serial)).toEqual(serials);
    expect(page.items.slice(0, 2).map((m) => m.data)).toEqual(['one', 'two']);
    expect(Buffer.from(page.items[2]!.data as Uint8Array)).toEqual(Buffer.from([0, 1, 255]));
    expect(page.items.every((m) => m.clientId === 'writer')).toBe(true);
    // Serials keep growing across the restart: the channel state came back from PostgreSQL.
    const { serials: after } = await rest.channels.get('persisted:pg-room').publish('e', 'after');
    expect(String(after[0]) > serials.at(-1)!).toBe(true);
    const stored = await db!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM channel_history WHERE channel = 'persisted:pg-room'`,
    );
    expect(stored[0]!.n).toBe(4);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('operator commands read the same PostgreSQL database when DATABASE_URL is set', () => {
    const cli = fileURLToPath(new URL('../../packages/server-node/dist/cli.js', import.meta.url));
    const run = spawnSync(process.execPath, [cli, 'apps', 'list', '--json'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        DATABASE_URL: db!.url,
        SWITCHBOARD_DATABASE_SCHEMA: db!.schema,
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_CONFIG: '',
      },
    });
    expect(run.stderr).toBe('');
    expect(JSON.stringify(JSON.parse(run.stdout))).toContain('"pgapp"');
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
