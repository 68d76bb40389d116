// What every server under test shares: it is forked by bench/run.mjs with an IPC channel, reports
// `{ type: 'ready', port, key?, dataDir? }` once listening, and answers `gc` (collect garbage, then reply
// with process.memoryUsage so that RSS read from /proc reflects live memory) and `exit`.

/**
 * @param {string} name
 * @param {() => Promise<{ port: number, key?: string, dataDir?: string, close: () => Promise<void> }>} start
 */
export async function serve(name, start) {
  let server;
  try {
    server = await start();
  } catch (err) {
    console.error(`${name}: failed to start: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  }
  const exit = () => {
    const timer = setTimeout(() => process.exit(0), 2000);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('message', (msg) => {
    if (msg?.type === 'gc') {
      if (typeof globalThis.gc === 'function') {
        globalThis.gc();
        globalThis.gc();
      }
      // Give freed pages a moment to be returned before the parent reads VmRSS.
      setTimeout(() => process.send?.({ type: 'gc-done', memory: process.memoryUsage() }), 100);
    } else if (msg?.type === 'exit') exit();
  });
  // The parent going away must not leave a server behind.
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.send?.({
    type: 'ready',
    port: server.port,
    ...(server.key ? { key: server.key } : {}),
    ...(server.dataDir ? { dataDir: server.dataDir } : {}),
  });
}
