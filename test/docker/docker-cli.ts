// The docker and Compose clients as test/docker runs them: output captured, a failure thrown with
// the command and the end of its output, long builds written to a log file instead.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** What a finished command printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Killed (SIGKILL) after this long; the result then has code -1. Default 10 minutes. */
  timeoutMs?: number;
  /** Both streams go to this file as well (appended), for builds too long to keep in memory. */
  logFile?: string;
}

/**
 * The legacy builder everywhere: BuildKit needs buildx and pulls the `# syntax` frontend from a
 * registry, neither of which these machines have; docker-compose v1 builds through the API unless
 * COMPOSE_DOCKER_CLI_BUILD says otherwise.
 */
export const DOCKER_ENV: Readonly<Record<string, string | undefined>> = { ...process.env, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' };

const KEPT_CHARS = 1 << 20;

/** Runs a command to its end; never throws for a non-zero exit (see {@link mustRun}). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...(options.env ?? DOCKER_ENV) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
    log?.write(`$ ${command} ${args.join(' ')}\n`);
    let stdout = '';
    let stderr = '';
    // Only the end is kept: a build prints megabytes, and a failure is explained by its last lines.
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-KEPT_CHARS);
      log?.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-KEPT_CHARS);
      log?.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    const finish = (code: number) => {
      clearTimeout(timer);
      if (log === undefined) resolve({ code, stdout, stderr });
      else log.end(() => resolve({ code, stdout, stderr }));
    };
    child.once('error', (err) => {
      stderr += err.message;
      finish(127);
    });
    child.once('close', (code) => finish(code ?? -1));
  });
}

/** Runs a command and returns its stdout; throws naming the command and its last output lines when it fails. */
export async function mustRun(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    const where = options.logFile === undefined ? '' : ` (log: ${options.logFile})`;
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}${where}:\n${tail}`);
  }
  return result.stdout;
}

/** `docker ...`, its stdout; throws when it fails. */
export function docker(args: readonly string[], options: RunOptions = {}): Promise<string> {
  return mustRun('docker', args, options);
}

/** Whether an image of that name exists in the engine. */
export async function hasImage(image: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).code === 0;
}

/**
 * The Compose command: the `docker compose` plugin where installed, else docker-compose v1
 * (Debian's 1.29), which takes the same flags.
 */
export function composeCommand(): [string, string[]] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', ['compose']];
  return ['docker-compose', []];
}
