import { startPartnerSessionApp } from './app.js';

// One command against `npm start`: SWITCHBOARD_URL and SWITCHBOARD_KEY name the server and a key.
const key = process.env.SWITCHBOARD_KEY;
if (!key) {
  console.error(
    'SWITCHBOARD_KEY is not set: use the key `npm start` prints (development mode), e.g.\n' +
      '  SWITCHBOARD_KEY=dev.xxxx:yyyy npm run dev -w examples/partner-session',
  );
  process.exit(1);
}
const numberEnv = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const silentMs = numberEnv('BANNER_SILENT_MS');
const pollMs = numberEnv('POLL_INTERVAL_MS');
const app = await startPartnerSessionApp({
  switchboardUrl: process.env.SWITCHBOARD_URL ?? 'http://localhost:8080',
  key,
  port: numberEnv('PORT') ?? 5173,
  host: process.env.HOST ?? '127.0.0.1',
  ...(silentMs !== undefined ? { silentMs } : {}),
  ...(pollMs !== undefined ? { pollMs } : {}),
});
console.log(`partner session: open ${app.url}?session=demo&user=alice and ?session=demo&user=bob`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void app.close().then(() => process.exit(0)));
