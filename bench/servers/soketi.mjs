// Peer (d): Soketi, the most used self-hosted Pusher-protocol server (uWebSockets.js underneath),
// run in this process under the bench harness so that the bench can ask it for a GC before reading
// RSS and stop it cleanly. Installed on first use into bench/peers/soketi (see lib/soketi-peer.mjs).
//
// One app (key `app-key`, secret `app-secret`) with client events enabled and no rate limits: the
// load client publishes as Pusher clients do, with `client-*` events on private channels (the
// publisher subscribes too; Pusher never echoes a client event to its sender).
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { serve } from './harness.mjs';
import { SOKETI_APP, soketiDir } from '../lib/soketi-peer.mjs';

/** A port free right now (Soketi's uWS listen cannot report an ephemeral port back). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Soketi logs its banner and shutdown notices with console.log; the bench's stdout is for results
// (--json), and its stderr for progress.
console.log = () => {};
console.info = console.log;

// Soketi loads aws-sdk v2 (for its SQS and DynamoDB drivers), which warns that it is in
// maintenance mode, on stderr, in every run.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

await serve('soketi', async () => {
  const require = createRequire(join(soketiDir, 'package.json'));
  const { Server } = require('@soketi/soketi');
  const [port, metricsPort] = [await freePort(), await freePort()];
  const server = new Server({
    host: '127.0.0.1',
    port,
    'metrics.host': '127.0.0.1',
    'metrics.port': metricsPort,
    'appManager.array.apps.0.id': SOKETI_APP.id,
    'appManager.array.apps.0.key': SOKETI_APP.key,
    'appManager.array.apps.0.secret': SOKETI_APP.secret,
    'appManager.array.apps.0.enableClientMessages': true,
    shutdownGracePeriod: 0,
  });
  await new Promise((resolve) => server.start(() => resolve()));
  return {
    port,
    // `key:secret`, as Ably keys are written: the load client signs private-channel auth with it.
    key: `${SOKETI_APP.key}:${SOKETI_APP.secret}`,
    close: () => server.stop(),
  };
});
