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
  /** Kills the process at once (SIGKILL), as a crash would; the data directory stays. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** Where and how to start: a data directory and port to reuse (a restart), default fresh ones. */
export interface SpawnOptions {
  dataDir?: string;
  port?: number;
  /** Keep the data directory on close (the caller removes it). */
  keepData?: boolean;
  /** Wait for the development key line (default: on a fresh data directory in development mode). */
  expectDevKey?: boolean;
}

/** Spawns `switchboard` on port 0 on 127.0.0.1 with a fresh data directory. */
export function spawnServer(
  args: string[] = [],
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'switchboard-proc-'));
  const proc = spawn(
    process.execPath,
    [
      CLI,
      ...['--port', String(options.port ?? 0), '--host', '127.0.0.1', '--data-dir', dataDir],
      ...args,
    ],
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
      const wantsKey =
        options.expectDevKey ?? (!args.includes('--production') && options.dataDir === undefined);
      if (!port || (wantsKey && !(devKey && out.includes('endpoint')))) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({
        port: Number(port),
        proc,
        devKey,
        output: () => out,
        alive: () => proc.exitCode === null && proc.signalCode === null,
        async kill() {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGKILL');
            await exited;
          }
        },
        async close() {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            await exited;
          }
          if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
        },
      });
    }, 25);
  });
}

/** Where a cluster node finds its Redis prefix and, when given, its PostgreSQL schema. */
export function clusterEnv(
  redis: { url: string; prefix: string },
  db?: { url: string; schema: string },
): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    SWITCHBOARD_REDIS_PREFIX: redis.prefix,
    ...(db ? { DATABASE_URL: db.url, SWITCHBOARD_DATABASE_SCHEMA: db.schema } : {}),
  };
}

/**
 * Spawns one cluster node with `config` and its own node id. Start the nodes of a shared schema
 * one at a time: the first creates the tables, the others find them.
 */
export function spawnNode(
  config: string,
  nodeId: string,
  env: Record<string, string>,
): Promise<ServerProcess> {
  return spawnServer(
    ['-c', config],
    { ...env, SWITCHBOARD_NODE_ID: nodeId },
    { expectDevKey: false },
  );
}

/** Resolves once the node has logged `text`. */
export function logged(node: ServerProcess, text: string): Promise<void> {
  return new Promise((resolve) => {
    const look = (): void => {
      if (!node.output().includes(text)) return;
      node.proc.stdout.off('data', look);
      resolve();
    };
    node.proc.stdout.on('data', look);
    look();
  });
}
