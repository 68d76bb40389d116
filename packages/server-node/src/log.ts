import type { Logger } from '@switchboard/server';
import { pino, stdTimeFunctions, type DestinationStream } from 'pino';
import type { LogConfig } from './log-config.js';

/**
 * Field names that must never reach a line, whatever a future call passes: a second guard behind
 * the engine's rule of logging ids only. pino replaces their values before the line is written.
 */
const REDACTED_FIELDS = [
  'key',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'adminSecret',
  'connectionKey',
  'authorization',
  'password',
  'data',
  'extras',
];

/** Where lines go: stdout for the process, anything with `write` for a test. */
export interface LogSink {
  write(line: string): void;
}

/** A pino-backed Logger plus the raw pino instance's flush, for a clean exit. */
export interface ProcessLogger extends Logger {
  /** Writes out anything buffered (the sinks here are synchronous, so this is cheap). */
  flush(): void;
}

/**
 * The server's logger: pino, JSON lines with ISO `time` and a text `level` by default, or the
 * plain `switchboard: message key=value` lines people read in a terminal (`pretty`), without
 * pulling pino-pretty and its transport worker into the runtime.
 */
export function createProcessLogger(config: LogConfig, sink?: LogSink): ProcessLogger {
  const destination: DestinationStream =
    config.format === 'pretty'
      ? prettyDestination(sink)
      : (sink ?? pino.destination({ dest: 1, sync: true }));
  const p = pino(
    {
      level: config.level,
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
    },
    destination,
  );
  return {
    debug: (message, fields) => p.debug(fields ?? {}, message),
    info: (message, fields) => p.info(fields ?? {}, message),
    warn: (message, fields) => p.warn(fields ?? {}, message),
    error: (message, fields) => p.error(fields ?? {}, message),
    flush: () => p.flush(),
  };
}

/** Keys of a JSON line that the pretty form shows in its own way or leaves out. */
const PRETTY_SKIP = new Set(['level', 'time', 'pid', 'msg']);

/**
 * Turns pino's JSON lines back into the plain lines the CLI always printed; warnings and errors
 * go to stderr, as console.warn sent them.
 */
function prettyDestination(sink?: LogSink): DestinationStream {
  return {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const level = String(entry.level);
      const prefix = level === 'info' ? '' : `${level}: `;
      const fields = Object.entries(entry)
        .filter(([k]) => !PRETTY_SKIP.has(k))
        .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join('');
      const text = `switchboard: ${prefix}${String(entry.msg)}${fields}\n`;
      if (sink) sink.write(text);
      else if (level === 'warn' || level === 'error') process.stderr.write(text);
      else process.stdout.write(text);
    },
  };
}
