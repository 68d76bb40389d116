import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../packages/server-node/dist/cli.js', import.meta.url));

/** The CLI in a child process: a crash shows as an exit, not as a failure of the test runner. */
export interface ServerProcess {
  readonly port: number;
  readonly proc: ChildProcessWithoutNullStreams;
  /** The development key the first start printed, if any. */
  readonly devKey: string | undefined;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  alive(): boolean;
  close(): Promise<void>;
}

/** Spawns `switchboard` on port 0 on 127.0.0.1 with a fresh data directory. */
export function spawnServer(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-proc-'));
  const proc = spawn(
    process.execPath,
    [CLI, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...args],
    { env: { ...process.env, ...env } },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
    const poll = setInterval(() => {
      const port = /listening on http:\/\/\S+:(\d+)/.exec(out)?.[1];
      const devKey = /Development key: (\S+)/.exec(out)?.[1];
      if (proc.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`server exited: ${out}`));
      }
      // A fresh data directory in development mode always gets a development key, printed
      // after the listening line: wait for the whole snippet.
      const wantsKey = !args.includes('--production');
      if (!port || (wantsKey && !(devKey && out.includes('endpoint')))) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({
        port: Number(port),
        proc,
        devKey,
        output: () => out,
        alive: () => proc.exitCode === null && proc.signalCode === null,
        async close() {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            await exited;
          }
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    }, 25);
  });
}
