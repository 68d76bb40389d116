// Load-side worker processes (lib/load-worker.mjs, lib/chat-worker.mjs), forked with an IPC
// channel, and a way to await a worker's next message of a given type.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Forks a worker; `next` must be called before the message it waits for can arrive.
 * @param {string} script a file name in bench/lib
 */
export function startWorker(script) {
  const child = fork(join(here, script), [], {
    // Workers report their own memory after a GC: what the load side pays per connection.
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = [];
  child.on('message', (msg) => {
    if (msg?.type === 'progress') return child.emit('progress', msg.done);
    const i = waiters.findIndex((w) => w.types.includes(msg?.type));
    if (i >= 0) waiters.splice(i, 1)[0].resolve(msg);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    next(types, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: timed out`)), timeoutMs);
        exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${what}: load worker exited`));
        });
        waiters.push({
          types,
          resolve: (msg) => {
            clearTimeout(timer);
            resolve(msg);
          },
        });
      });
    },
    async stop() {
      if (child.connected) child.send({ type: 'close' });
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
