import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Limits } from '@switchboard/server';

const require = createRequire(import.meta.url);
// The CLI sits beside the package's entry point (dist/index.js).
const CLI = join(dirname(require.resolve('@switchboard/server-node')), 'cli.js');
const PROBE = fileURLToPath(new URL('./memory-probe.js', import.meta.url));

/** One reading of the server's memory, in bytes; the heap is measured after a full GC. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** A log line the server wrote at warn level or above. */
export interface LoggedProblem {
  level: 'warn' | 'error' | 'fatal';
  msg: string;
}

/** The `switchboard` CLI in a child process, with its memory and its complaints in reach. */
export interface SwitchboardProcess {
  readonly port: number;
  readonly pid: number;
  /** The full-access key of the development app it created. */
  readonly key: string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Resolves when the process exits, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** The server's memory now (rejects if the process is gone). */
  memory(): Promise<MemorySample>;
  /** Writes a V8 heap snapshot of the server to `path` (for Chrome DevTools' Memory tab). */
  heapSnapshot(path: string): Promise<void>;
  /** Error and fatal, then warn log lines so far (bounded samples; `counts` has the totals). */
  problems(): LoggedProblem[];
  /** Error and fatal log lines so far (the first 200). */
  errors(): LoggedProblem[];
  counts(): { warn: number; error: number; fatal: number };
  /** The last few KB of stderr and non-JSON stdout, to show when it died. */
  tail(): string;
  close(): Promise<void>;
}

/** How to start it. */
export interface SpawnSwitchboardOptions {
  limits?: Partial<Limits>;
  /** Extra CLI flags. */
  args?: string[];
  /** Extra environment. */
  env?: Record<string, string>;
}

// The server logs a text level; pino's numbers are accepted too.
const LEVELS: Record<string, LoggedProblem['level']> = {
  40: 'warn',
  50: 'error',
  60: 'fatal',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/**
 * Starts the server CLI on port 0 in development mode with a fresh data directory and a config
 * file holding `limits`, logging JSON at warn level; the memory probe is preloaded and the GC
 * exposed so memory() is comparable from one reading to the next.
 */
export function spawnSwitchboard(
  options: SpawnSwitchboardOptions = {},
): Promise<SwitchboardProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-proc-'));
  const config = join(dataDir, 'config.json');
  writeFileSync(config, JSON.stringify({ limits: options.limits ?? {} }));
  const proc: ChildProcess = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      PROBE,
      CLI,
      ...['--port', '0', '--host', '127.0.0.1', '--data-dir', join(dataDir, 'data')],
      ...['--config', config],
      ...(options.args ?? []),
    ],
    {
      env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const problems: LoggedProblem[] = [];
  const warnings: LoggedProblem[] = [];
  const counts = { warn: 0, error: 0, fatal: 0 };
  let tail = '';
  const keepTail = (s: string): void => {
    tail = (tail + s).slice(-8000);
  };
  let stdoutRest = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const lines = (stdoutRest + d.toString()).split('\n');
    stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      let entry: { level?: number | string; msg?: string } | undefined;
      try {
        entry = JSON.parse(line) as { level?: number | string; msg?: string };
      } catch {
        keepTail(`${line}\n`);
        continue;
      }
      const level = LEVELS[String(entry.level)];
      if (!level) continue;
      counts[level]++;
      // Errors are kept apart, so a flood of warnings cannot hide them.
      const list = level === 'warn' ? warnings : problems;
      if (list.length < 200) list.push({ level, msg: line.slice(0, 1000) });
    }
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    keepTail(d.toString());
  });
  // A runner that dies (an uncaught error) must not leave its server behind.
  const killOnExit = (): void => void proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  let nextId = 0;
  const waiting = new Map<number, (m: MemorySample) => void>();
  proc.on('message', (m: MemorySample & { type?: string; id?: number }) => {
    if (m.id === undefined) return;
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = m;
    waiting.get(m.id)?.({ rss, heapUsed, heapTotal, external, arrayBuffers });
    waiting.delete(m.id);
  });
  const ask = (
    request: { type: string; path?: string },
    timeoutMs: number,
  ): Promise<MemorySample> => {
    if (!alive()) return Promise.reject(new Error('the server is not running'));
    const id = nextId++;
    return new Promise((res, rej) => {
      const t = setTimeout(() => {
        waiting.delete(id);
        rej(new Error(`no ${request.type} answer from the server within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      waiting.set(id, (m) => {
        clearTimeout(t);
        res(m);
      });
      proc.send({ ...request, id });
    });
  };
  const alive = (): boolean => proc.exitCode === null && proc.signalCode === null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      proc.kill('SIGKILL');
      reject(new Error(`server did not start: ${tail}`));
    }, 30_000);
    const poll = setInterval(() => {
      if (!alive()) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`server exited at start: ${tail}`));
        return;
      }
      // At warn level the listening line is not logged: the development snippet, written in
      // full at once, gives both the key and the port.
      const key = /Development key: (\S+)/.exec(stderr)?.[1];
      const port = Number(/port: (\d+)/.exec(stderr)?.[1] ?? 0);
      if (port === 0 || !key) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({
        port,
        pid: proc.pid!,
        key,
        alive,
        exited,
        memory: () => ask({ type: 'memory' }, 30_000),
        heapSnapshot: async (path) => void (await ask({ type: 'heap-snapshot', path }, 300_000)),
        problems: () => [...problems, ...warnings],
        errors: () => [...problems],
        counts: () => ({ ...counts }),
        tail: () => tail,
        async close() {
          if (alive()) {
            proc.kill('SIGTERM');
            const late = setTimeout(() => proc.kill('SIGKILL'), 15_000);
            await exited;
            clearTimeout(late);
          }
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    }, 25);
  });
}
