import { startChatApp } from './app.js';

// One command against `npm start`: SWITCHBOARD_URL and SWITCHBOARD_KEY name the server and a key.
const key = process.env.SWITCHBOARD_KEY;
if (!key) {
  console.error(
    'SWITCHBOARD_KEY is not set: use the key `npm start` prints (development mode), e.g.\n' +
      '  SWITCHBOARD_KEY=dev.xxxx:yyyy npm run dev -w examples/chat',
  );
  process.exit(1);
}
const numberEnv = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const slaWarningMs = numberEnv('SLA_WARNING_MS');
const pollMs = numberEnv('POLL_INTERVAL_MS');
const app = await startChatApp({
  switchboardUrl: process.env.SWITCHBOARD_URL ?? 'http://localhost:8080',
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
