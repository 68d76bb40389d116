import { startChatApp } from './app.js';
import { resolveKey } from './http-kit.js';

// One command against `npm start`: SWITCHBOARD_URL names the server (default localhost:8080);
// SWITCHBOARD_KEY a key, or else the development key of a server in development mode is used.
const switchboardUrl = process.env.SWITCHBOARD_URL ?? 'http://localhost:8080';
const key = await resolveKey(switchboardUrl, process.env.SWITCHBOARD_KEY).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
const numberEnv = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const slaWarningMs = numberEnv('SLA_WARNING_MS');
const pollMs = numberEnv('POLL_INTERVAL_MS');
const app = await startChatApp({
  switchboardUrl,
  key,
  realtime: process.env.ENABLE_REALTIME !== 'false',
  port: numberEnv('PORT') ?? 5174,
  host: process.env.HOST ?? '127.0.0.1',
  ...(slaWarningMs !== undefined ? { slaWarningMs } : {}),
  ...(pollMs !== undefined ? { pollMs } : {}),
});
console.log(
  `chat: open ${app.url}?conversation=demo&user=dana (customer) and ?conversation=demo&user=sam (agent)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void app.close().then(() => process.exit(0)));
