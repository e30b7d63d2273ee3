import { DEV_USAGE, devCommand } from './dev/dev-command.js';
import { DLQ_USAGE, dlqCommand } from './dlq/dlq-command.js';
import { NEW_USAGE, newCommand } from './new/new-command.js';
import { RPC_USAGE, rpcCommand } from './rpc-command.js';
import { TOPICS_USAGE, topicsCommand } from './topics-command.js';

/** A `catenae` command besides run, kafka and graph: its help and what runs it. */
interface Command {
  readonly usage: string;
  run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
}

/** The day-to-day commands, by name. */
const COMMANDS: Readonly<Record<string, Command>> = {
  new: { usage: NEW_USAGE, run: (argv) => newCommand(argv) },
  dev: { usage: DEV_USAGE, run: (argv, env) => devCommand(argv, env) },
  topics: { usage: TOPICS_USAGE, run: topicsCommand },
  rpc: { usage: RPC_USAGE, run: rpcCommand },
  dlq: { usage: DLQ_USAGE, run: dlqCommand },
};

/** Their names, for the unknown-command message. */
export const MORE_COMMAND_NAMES = Object.keys(COMMANDS);

/** One usage line each, for `catenae --help`. */
export const MORE_USAGE = Object.values(COMMANDS)
  .map((command) => `  ${command.usage.split('\n')[0]}`)
  .join('\n');

/**
 * Runs one of these commands (`--help` prints its help) and resolves with the exit code;
 * undefined when `name` is none of them.
 */
export function runMoreCommand(name: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> | undefined {
  const command = COMMANDS[name];
  if (command === undefined) return undefined;
  const separator = argv.indexOf('--');
  const own = separator < 0 ? argv : argv.slice(0, separator);
  if (own.includes('--help') || own.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return Promise.resolve(0);
  }
  return command.run(argv, env);
}
