/** What a command prints: one value for `--json`, and the text (usually a table) otherwise. */
export interface CommandOutput {
  json: unknown;
  text: string;
  /** Said on stderr in text mode (hints such as "this channel is not persisted"). */
  notes?: string[];
}

/** One operator command group of the `switchboard` binary (`apps`, `keys`, `history`, …). */
export interface AdminCommand {
  readonly name: string;
  /** One line for the command list in `switchboard --help`. */
  readonly summary: string;
  /** What `switchboard <name> --help` prints. */
  readonly help: string;
  run(args: string[], env: NodeJS.ProcessEnv): Promise<CommandOutput>;
}

/**
 * A mistake of the operator's (unknown command, app, key or flag; bad value): reported as one
 * line on stderr with exit code 2, never as a stack trace.
 */
export class AdminError extends Error {
  override readonly name = 'AdminError';
}

/** The options every command takes, spread into each command's `parseArgs` options. */
export const COMMON_OPTIONS = {
  'data-dir': { type: 'string', short: 'd' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The help lines for COMMON_OPTIONS, appended to every command's help. */
export const COMMON_HELP = `Common options:
  -d, --data-dir <dir>  Where the SQLite data lives (env SWITCHBOARD_DATA_DIR, default ./data)
      --json            Print JSON instead of a table
  -h, --help            Show this help`;
