// Switchboard itself, started the way the CLI starts it (loadConfig + startSwitchboard, SQLite
// store in a fresh data directory, development mode so a development key is created), but under
// the bench harness so that the bench can ask for a GC before reading RSS and stop it cleanly
// (which --cpu-prof needs to write its profile).
// The only setting changed is maxInboundRate: one publisher connection publishes flat out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startSwitchboard } from '@switchboard/server-node';
import { serve } from './harness.mjs';

await serve('switchboard', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ limits: { maxInboundRate: 1_000_000_000 } }));
  const config = loadConfig({ port: '0', host: '127.0.0.1', dataDir, config: configFile }, {});
  const sb = await startSwitchboard(config, {
    logger: {
      info: () => {},
      warn: (message, fields) => console.warn(`switchboard: ${message}`, fields ?? ''),
    },
  });
  if (!sb.developmentKey) throw new Error('no development key was created');
  return {
    port: sb.port,
    key: sb.developmentKey,
    async close() {
      await sb.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
