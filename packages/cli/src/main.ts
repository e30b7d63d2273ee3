import { readFileSync } from 'node:fs';
import { MORE_COMMAND_NAMES, MORE_USAGE, runMoreCommand } from './command-table.js';
import { dashboardCommand } from './dashboard/dashboard-command.js';
import { ExitCode, exitCodeOf } from '@catenae/core';
import { graphCommand } from './graph/graph-command.js';
import { kafkaCommand } from './kafka-command.js';
import { RUN_FLAGS } from './flags.js';
import { reportError, reportStyleOf } from './report-error.js';
import { runCommand } from './run-command.js';

const USAGE = `Usage:
  catenae run <link files...> [flags] [-- arguments for the links]
  catenae kafka up|down [--port N]      start or stop a local Kafka broker (default port 9092; catenae kafka --help)
  catenae kafka up|down --brokers 3 [--port N]
                                        a local 3-node cluster (also KAFKA_BROKERS=3), ports N to N+5
  catenae kafka stop-node|start-node <n> [--kill]
                                        stop (--kill: SIGKILL) or restart one node of that cluster
  catenae graph <link files...> [-i a,b] [-o t] [--out graph.svg] [--format mermaid|svg]
                                        draw the topology (-i/-o after a file apply to its link)
  catenae dashboard -k host:port [--port 8080] [--host 127.0.0.1] [--allow-rpc] [--forget-after S]
                    [--kafka-config k=v]
                                        serve a live view of the running links on http://127.0.0.1:8080/
                                        (read-only unless --allow-rpc, which lets it call @Rpc() methods;
                                        stopped or gone instances stay shown for S seconds, default 600)
${MORE_USAGE}
  (catenae <command> --help: the flags of one command)

Flags of catenae run (each also CATENAE_<FLAG> in the environment):
${RUN_FLAGS.map((flag) => `  ${(flag.alias ? `-${flag.alias}, ` : '    ') + `--${flag.name}`}`.padEnd(30) + flag.describe).join('\n')}
`;

/**
 * Runs the `catenae` command and resolves with its exit code (`ExitCode`: 0 only when it did what
 * it was asked, else one code per class of failure); errors are printed as one line.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        if (rest.includes('--help') || rest.includes('-h')) return usage(0);
        return await runCommand(rest, env);
      case 'kafka':
        return await kafkaCommand(rest, env);
      case 'graph':
        if (rest.includes('--help') || rest.includes('-h')) return usage(0);
        return await graphCommand(rest);
      case 'dashboard':
        if (rest.includes('--help') || rest.includes('-h')) return usage(0);
        return await dashboardCommand(rest, env);
      case '--version':
      case '-v':
        process.stdout.write(`${version()}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return usage(command === undefined ? ExitCode.Usage : 0);
      default:
        if (MORE_COMMAND_NAMES.includes(command)) return await runMoreCommand(command, rest, env)!;
        process.stderr.write(`catenae: unknown command "${command}": expected run, kafka, graph, dashboard, ${MORE_COMMAND_NAMES.join(', ')}\n`);
        return ExitCode.Usage;
    }
  } catch (err) {
    reportError(err, reportStyleOf(rest, env));
    return exitCodeOf(err);
  }
}

function usage(code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(USAGE);
  return code;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
