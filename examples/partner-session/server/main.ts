import { startPartnerSessionApp } from './app.js';
import { resolveKey } from './http-kit.js';

// One command against `npm start`: SWITCHBOARD_URL names the server (default localhost:8080);
// SWITCHBOARD_KEY a key, or else the development key of a server in development mode is used.
const switchboardUrl = process.env.SWITCHBOARD_URL ?? 'http://localhost:8080';
const key = await resolveKey(switchboardUrl, process.env.SWITCHBOARD_KEY).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
const numberEnv = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const silentMs = numberEnv('BANNER_SILENT_MS');
const pollMs = numberEnv('POLL_INTERVAL_MS');
const app = await startPartnerSessionApp({
  switchboardUrl,
  key,
  port: numberEnv('PORT') ?? 5173,
  host: process.env.HOST ?? '127.0.0.1',
  ...(silentMs !== undefined ? { silentMs } : {}),
  ...(pollMs !== undefined ? { pollMs } : {}),
});
console.log(`partner session: open ${app.url}?session=demo&user=alice and ?session=demo&user=bob`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void app.close().then(() => process.exit(0)));
