import { isErrorInfo } from '@switchboard/protocol';
import { appsCommand } from './apps-command.js';
import { channelsCommand } from './channels-command.js';
import { AdminError, type AdminCommand } from './command.js';
import { eventsCommand } from './events-command.js';
import { heartbeatsCommand } from './heartbeats-command.js';
import { historyCommand } from './history-command.js';
import { keysCommand } from './keys-command.js';
import { notificationsCommand } from './notifications-command.js';
import { statsCommand } from './stats-command.js';
import { tokenCommand } from './token-command.js';
import { webhooksCommand } from './webhooks-command.js';

/** Every operator command, in the order `--help` lists them. */
export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  appsCommand,
  keysCommand,
  webhooksCommand,
  heartbeatsCommand,
  tokenCommand,
  channelsCommand,
  historyCommand,
  eventsCommand,
  notificationsCommand,
  statsCommand,
];

/** The command list for the top-level `--help`. */
export function adminCommandsHelp(): string {
  const width = Math.max(...ADMIN_COMMANDS.map((c) => c.name.length));
  return ADMIN_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
}

/** Where the CLI writes; the process streams unless a caller captures them. */
export interface AdminIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: AdminIo = {
  stdout: (text) => void process.stdout.write(`${text}\n`),
  stderr: (text) => void process.stderr.write(`${text}\n`),
};

/** parseArgs reports a bad flag with a TypeError carrying one of these codes. */
const isArgsError = (err: unknown): err is Error =>
  err instanceof Error && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');

/**
 * Runs `switchboard <command> …` and resolves with the exit code: 0 done (an empty listing
 * included), 2 the operator's mistake (unknown command, app, key or flag; bad value), 1 anything
 * else (the database could not be read, say). Errors are one line on stderr.
 */
export async function runAdmin(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: AdminIo = processIo,
): Promise<number> {
  const [name, ...args] = argv;
  const command = ADMIN_COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`switchboard: unknown command: ${name ?? ''} (switchboard --help lists them)`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  try {
    const output = await command.run(args, env);
    if (args.includes('--json')) io.stdout(JSON.stringify(output.json, null, 2));
    else {
      for (const note of output.notes ?? []) io.stderr(note);
      io.stdout(output.text);
    }
    return 0;
  } catch (err) {
    // A bad capability, ttl or spec arrives as the engine's ErrorInfo: the operator's to fix.
    const mine = err instanceof AdminError || isErrorInfo(err) || isArgsError(err);
    let message = err instanceof Error ? err.message : String(err);
    // parseArgs follows its first sentence with advice on `--`; the sentence is what matters.
    if (isArgsError(err)) message = message.split(/\.\s/)[0]!;
    message = message.replace(/\s*\n\s*/g, ' ');
    io.stderr(`switchboard ${command.name}: ${message}`);
    return mine ? 2 : 1;
  }
}
