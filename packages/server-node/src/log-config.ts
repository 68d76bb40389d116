/** Levels an operator may choose, most verbose first; `silent` logs nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object per line on stdout (the default); `pretty`: plain lines for people. */
export type LogFormat = 'json' | 'pretty';

/** How the process logs (env SWITCHBOARD_LOG_LEVEL, SWITCHBOARD_LOG_FORMAT; `--log-pretty`). */
export interface LogConfig {
  level: LogLevel;
  format: LogFormat;
}

/**
 * Reads the log settings: the flag wins over the environment, which wins over the file. A value
 * that is not known is an error at start, not a silent fallback that hides every line.
 */
export function logConfig(
  env: NodeJS.ProcessEnv,
  fromFile: { logLevel?: unknown; logFormat?: unknown },
  pretty?: boolean,
): LogConfig {
  const level = env.SWITCHBOARD_LOG_LEVEL || fromFile.logLevel || 'info';
  if (!LOG_LEVELS.includes(level as LogLevel))
    throw new TypeError(`Invalid log level: ${String(level)} (${LOG_LEVELS.join(', ')})`);
  const format = pretty ? 'pretty' : env.SWITCHBOARD_LOG_FORMAT || fromFile.logFormat || 'json';
  if (format !== 'json' && format !== 'pretty')
    throw new TypeError(`Invalid log format: ${String(format)} (json or pretty)`);
  return { level: level as LogLevel, format };
}
