// Raising the open-file limit for a run: Node cannot call setrlimit, so the bench re-runs itself
// under `sh -c 'ulimit -n …'`, which the servers it forks then inherit. Raising the soft limit up
// to the hard one always works; beyond it needs privilege (CAP_SYS_RESOURCE), which a container
// often lacks; then the run goes on with what it got and says so.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MARK = 'SWITCHBOARD_BENCH_NOFILE';

/** The soft and hard open-file limits of this process, from /proc/self/limits. */
export function openFileLimits() {
  try {
    const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    const n = (v) => (v === 'unlimited' ? Infinity : Number(v));
    return m ? { soft: n(m[1]), hard: n(m[2]) } : { soft: Infinity, hard: Infinity };
  } catch {
    return { soft: Infinity, hard: Infinity };
  }
}

/**
 * Makes sure the run has at least `need` open files, re-running this script under a raised limit
 * when it has not. Returns the re-run's exit code (the caller exits with it), or undefined when
 * this process is the one to go on (limit enough, already re-run, or no shell to raise it with).
 * @param {number} need
 * @param {(line: string) => void} log
 */
export function raiseOpenFileLimit(need, log) {
  const { soft, hard } = openFileLimits();
  if (soft >= need || process.env[MARK] || process.platform === 'win32') return undefined;
  log(`bench: raising the open-file limit from ${soft} towards ${need} (hard limit ${hard})`);
  // Try the full amount (works with privilege), else the hard limit.
  const script = `ulimit -n ${need} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
  const result = spawnSync(
    '/bin/sh',
    ['-c', script, 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [MARK]: '1' } },
  );
  if (result.error) {
    log(`bench: could not re-run under a raised limit: ${result.error.message}`);
    return undefined;
  }
  return result.status ?? 1;
}
