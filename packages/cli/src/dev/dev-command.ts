import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { register, createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { importOptional } from '../import-optional.js';
import { parseRunArgs } from '../parse-run-args.js';
import { loadConnectors } from '../run-command.js';
import { DevSession } from './dev-session.js';
import { FileWatcher } from './file-watcher.js';

/** Help of `catenae dev`. */
export const DEV_USAGE = `catenae dev <link files...> [--tsc] [--watch dir]... [catenae run flags] [-- link args]
  Runs the links as catenae run does (on an embedded broker, or on Kafka with -k) and restarts
  them when a compiled module under their directories (or a --watch dir) changes: the running
  links drain, flush and commit first, then the changed modules load afresh, with one line per
  restart. The embedded broker lives on across restarts, with its topics and committed offsets.
  --tsc        also run the project's TypeScript compiler in watch mode (tsc --watch)
  --watch dir  watch this directory too (repeatable)`;

let hooksRegistered = false;

/**
 * `catenae dev`: resolves with the exit code once SIGINT or SIGTERM stopped the links.
 * @throws CatenaeError for bad flags, or links that fail to load or start the first time.
 */
export async function devCommand(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd(), until = signalled()): Promise<number> {
  const { runArgv, watchDirs, runsTsc } = splitDevFlags(argv);
  const request = await parseRunArgs(runArgv, env, 'dev');
  for (const dir of watchDirs) checkDirectory(resolve(cwd, dir));
  if (runsTsc && !existsSync(join(cwd, 'tsconfig.json'))) {
    throw new CatenaeError(ErrorCode.BadFlag, `--tsc runs the project's tsc --watch, but ${cwd} has no tsconfig.json: run catenae dev from the project's directory`);
  }
  if (request.options.kafka !== undefined) {
    const kafka = await importOptional<typeof import('@catenae/kafka')>('@catenae/kafka', '-k (running on Kafka)');
    const kafkaConfig = { ...kafka.kafkaConfigFromEnv(env), ...request.options.kafkaConfig };
    if (Object.keys(kafkaConfig).length > 0) request.options.kafkaConfig = kafkaConfig;
  }
  if (request.options.mongodb !== undefined || request.options.aerospike !== undefined) await loadConnectors();
  const roots = [...new Set([...request.files.map((file) => dirname(resolve(cwd, file))), ...watchDirs.map((dir) => resolve(cwd, dir))])].map((dir) => (dir.endsWith(sep) ? dir : dir + sep));
  if (!hooksRegistered) {
    register(new URL('./reload-hooks.js', import.meta.url), { data: { roots } });
    hooksRegistered = true;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const tsc = runsTsc ? startTsc(cwd) : undefined;
  const session = new DevSession(request, cwd, log);
  const watcher = new FileWatcher(roots, (paths) => void session.restart(paths));
  try {
    await watcher.start();
    const names = await session.start();
    log(`catenae dev: running ${names.join(', ')}; watching ${roots.join(', ')} for changes (Ctrl-C stops)`);
    await until;
    return 0;
  } finally {
    watcher.close();
    tsc?.kill('SIGTERM');
    await session.stop();
  }
}

/** Takes `--tsc` and `--watch dir` out of the arguments (before `--`); the rest is catenae run's. */
export function splitDevFlags(argv: readonly string[]): { runArgv: string[]; watchDirs: string[]; runsTsc: boolean } {
  const runArgv: string[] = [];
  const watchDirs: string[] = [];
  let runsTsc = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      runArgv.push(...argv.slice(i));
      break;
    }
    if (arg === '--tsc') runsTsc = true;
    else if (arg === '--watch' || arg.startsWith('--watch=')) {
      const dir = arg === '--watch' ? argv[++i] : arg.slice('--watch='.length);
      if (dir === undefined || dir === '') throw new CatenaeError(ErrorCode.BadFlag, '--watch needs a directory');
      watchDirs.push(dir);
    } else runArgv.push(arg);
  }
  return { runArgv, watchDirs, runsTsc };
}

function checkDirectory(dir: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // Missing: the same message as a file.
  }
  if (!isDirectory) throw new CatenaeError(ErrorCode.BadFlag, `--watch ${dir} is not a directory`);
}

/** The project's own TypeScript compiler in watch mode, its output on this terminal. */
function startTsc(cwd: string): ChildProcess {
  let tsc: string;
  try {
    tsc = createRequire(pathToFileURL(join(cwd, 'package.json'))).resolve('typescript/bin/tsc');
  } catch {
    throw new CatenaeError(ErrorCode.BadFlag, `--tsc runs the project's TypeScript compiler, but typescript is not installed in ${cwd} (npm install -D typescript)`);
  }
  return spawn(process.execPath, [tsc, '--watch', '--preserveWatchOutput'], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Resolves at the first SIGINT or SIGTERM; a second one exits at once. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    let count = 0;
    const onSignal = () => {
      if (++count > 1) process.exit(130);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
