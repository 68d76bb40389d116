import type { Logger } from '@switchboard/server';

/** One line the server logged, as the Logger port received it. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps every line, so a test can check what was logged and what never was. */
export interface CapturingLogger {
  readonly logger: Logger;
  readonly entries: LogEntry[];
  /** The entries with this message. */
  find(message: string): LogEntry[];
  /** Resolves with the first entry (already logged or coming) that matches. */
  waitFor(match: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
}

/** Creates a capturing logger; it keeps debug lines too. */
export function createCapturingLogger(): CapturingLogger {
  const entries: LogEntry[] = [];
  const waiters = new Set<(entry: LogEntry) => void>();
  const line =
    (level: LogEntry['level']) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      const entry = { level, message, fields };
      entries.push(entry);
      for (const w of [...waiters]) w(entry);
    };
  return {
    logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    entries,
    find: (message) => entries.filter((e) => e.message === message),
    waitFor(match, timeoutMs = 5_000) {
      const found = entries.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching log entry in ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (entry: LogEntry): void => {
          if (!match(entry)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(entry);
        };
        waiters.add(check);
      });
    },
  };
}
