import { parseArgs } from 'node:util';
import { Generator, Link, type Context } from '@catenae/core';
import type { WorkerState } from './worker.js';

/** One step of the controller's script. */
export type Command = { name: 'listen' | 'ignore'; topic: string } | { name: 'state' } | { name: 'announce'; message: string };

/** The controller's arguments: whom to address and what to do, in order. */
export interface ControllerOptions {
  /** A link name (one instance answers a call) or an instance uid (default `Worker`). */
  to: string;
  /** `listen`/`ignore` as a notification to every instance of `to`, without answers. */
  all: boolean;
  /** Print nothing (the lines are kept in `results`). */
  quiet: boolean;
  commands: Command[];
}

const USAGE = 'commands: listen <topic>, ignore <topic>, state, announce <message>';

/**
 * Parses `[--to Worker|uid] [--all] [--quiet] command...` where the commands are `listen <topic>`,
 * `ignore <topic>`, `state` and `announce <message>`.
 * @throws Error naming the bad argument.
 */
export function parseControllerArgs(args: readonly string[]): ControllerOptions {
  const { values, positionals } = parseArgs({ args: [...args], options: { to: { type: 'string' }, all: { type: 'boolean' }, quiet: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const commands: Command[] = [];
  for (let i = 0; i < positionals.length; i++) {
    const name = positionals[i]!;
    if (name === 'state') commands.push({ name });
    else if (name === 'listen' || name === 'ignore' || name === 'announce') {
      const operand = positionals[++i];
      if (operand === undefined) throw new Error(`${name} needs ${name === 'announce' ? 'a message' : 'a topic'}`);
      commands.push(name === 'announce' ? { name, message: operand } : { name, topic: operand });
    } else throw new Error(`unknown command "${name}"; ${USAGE}`);
  }
  if (commands.length === 0) throw new Error(`nothing to do; ${USAGE}`);
  return { to: values.to ?? 'Worker', all: values.all ?? false, quiet: values.quiet ?? false, commands };
}

/**
 * A source link that changes another running link over RPC, then exits: `listen <topic>` and
 * `ignore <topic>` call `Worker.listen` / `Worker.ignore` on one instance (`ctx.rpc.call`, which
 * answers the inputs it reads now; with `--all`, `ctx.rpc.notify` reaches every instance instead),
 * `state` calls `Worker.state`, and `announce <message>` notifies every instance of every link
 * that has an `announce` method (`ctx.rpc.notify('broadcast', ...)`). Prints one line per command
 * (`--quiet`: none); a failed call (a timeout, a remote error) stops it non-zero, naming the command.
 */
@Link()
export class Controller {
  options: ControllerOptions | undefined = undefined;
  /** The printed lines, in order. */
  readonly results: string[] = [];

  setup(ctx: Context): void {
    this.options = parseControllerArgs(ctx.args);
  }

  @Generator()
  async run(ctx: Context): Promise<void> {
    const { to, all, quiet, commands } = this.options!;
    for (const command of commands) {
      let line: string;
      try {
        line = await perform(command, to, all, ctx);
      } catch (err) {
        ctx.stop(`${command.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      this.results.push(line);
      if (!quiet) process.stdout.write(`${line}\n`);
    }
  }
}

async function perform(command: Command, to: string, all: boolean, ctx: Context): Promise<string> {
  switch (command.name) {
    case 'listen':
    case 'ignore':
      if (all) {
        await ctx.rpc.notify(to, command.name, command.topic);
        return `${command.name} ${command.topic}: notified every instance of ${to}`;
      }
      return `${command.name} ${command.topic}: inputs ${JSON.stringify(await ctx.rpc.call<string[]>(to, command.name, command.topic))}`;
    case 'state':
      return `state: ${JSON.stringify(await ctx.rpc.call<WorkerState>(to, 'state'))}`;
    case 'announce':
      await ctx.rpc.notify('broadcast', 'announce', command.message);
      return `announce: sent to every link`;
  }
}
