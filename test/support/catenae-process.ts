import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));

/** The Kafka address the integration tests use (started by `pnpm test`). */
export const KAFKA = process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092';

/** A `catenae run` (or other `catenae`) process, with its output collected line by line. */
export class CatenaeProcess {
  readonly child: ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  #listeners: (() => void)[] = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    // Through /bin/sh, as the bin shims run it: the script execs Node (same pid) with its flags.
    this.child = spawn('/bin/sh', [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.#add(this.stdout, line));
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.#add(this.stderr, line));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Starts `catenae run <fixture> -k <kafka> ...args`, the fixture from test/<suite>/fixtures. */
  static run(fixture: string, args: string[], env?: NodeJS.ProcessEnv, suite = 'e2e', kafka = KAFKA): CatenaeProcess {
    return new CatenaeProcess(['run', fixturePath(fixture, suite), '-k', kafka, ...args], env);
  }

  /** Resolves once a stdout or stderr line satisfies `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (line: string) => boolean, timeoutMs = 30_000, what = 'a matching line'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = [...this.stdout, ...this.stderr].find(predicate);
        if (found === undefined) return false;
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((listener) => listener !== check);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.#listeners = this.#listeners.filter((listener) => listener !== check);
        reject(new Error(`timed out waiting for ${what}; stderr:\n${this.stderr.slice(-20).join('\n')}`));
      }, timeoutMs);
      if (!check()) this.#listeners.push(check);
    });
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  #add(lines: string[], line: string): void {
    lines.push(line);
    for (const listener of [...this.#listeners]) listener();
  }
}

/** The compiled path of a fixture link module in test/<suite>/fixtures. */
export function fixturePath(name: string, suite = 'e2e'): string {
  return fileURLToPath(new URL(`../${suite}/fixtures/${name}.js`, import.meta.url));
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
