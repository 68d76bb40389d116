// Switchboard itself, started the way the CLI starts it (loadConfig + startSwitchboard, SQLite
// store in a fresh data directory, development mode so a development key is created), but under
// the bench harness so that the bench can ask for a GC before reading RSS and stop it cleanly
// (which --cpu-prof needs to write its profile).
// The only setting changed is maxInboundRate: one publisher connection publishes flat out.
//
// With --persisted it then creates an app the way a user would (POST /apps) whose namespace
// `bench` is persisted, and hands the bench that app's key: the bench then names its channels
// `bench:<n>` instead of `bench-<n>` (same length, so frames are the same size), and every
// publish is committed to SQLite before it is ACKed and fanned out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startSwitchboard } from '@switchboard/server-node';
import { serve } from './harness.mjs';

const persisted = process.argv.includes('--persisted');
// With --redis <url> --prefix <p>: a node of a cluster on that Redis. Every node of one run gets
// the same prefix and the same fixed app key from its config file, so they serve one app.
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const redisUrl = arg('--redis');
const CLUSTER_SECRET = 'bench-cluster-secret-0123456789';

/** Creates an app with a persisted namespace `bench`; returns its full-access key. */
async function createPersistedApp(port) {
  const res = await fetch(`http://127.0.0.1:${port}/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ keys: [{}], namespaces: [{ id: 'bench', persisted: true }] }),
  });
  if (res.status !== 201) throw new Error(`POST /apps: ${res.status} ${await res.text()}`);
  return (await res.json()).keys[0].keyStr;
}

await serve('switchboard', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const configFile = join(dataDir, 'config.json');
  const cluster = redisUrl
    ? {
        redisUrl,
        redisPrefix: arg('--prefix'),
        apps: [{ id: 'bench', keys: [{ name: 'k', secret: CLUSTER_SECRET }] }],
      }
    : {};
  writeFileSync(
    configFile,
    JSON.stringify({ limits: { maxInboundRate: 1_000_000_000 }, ...cluster }),
  );
  const config = loadConfig({ port: '0', host: '127.0.0.1', dataDir, config: configFile }, {});
  const sb = await startSwitchboard(config, {
    logger: {
      debug: () => {},
      info: () => {},
      error: (message, fields) => console.error(`switchboard: ${message}`, fields ?? ''),
      warn: (message, fields) => console.warn(`switchboard: ${message}`, fields ?? ''),
    },
  });
  if (!sb.developmentKey && !redisUrl) throw new Error('no development key was created');
  const key = redisUrl ? `bench.k:${CLUSTER_SECRET}` : sb.developmentKey;
  return {
    port: sb.port,
    key: persisted ? await createPersistedApp(sb.port) : key,
    // The bench reads the database's size from here after a run (it is removed on close).
    dataDir,
    async close() {
      await sb.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
