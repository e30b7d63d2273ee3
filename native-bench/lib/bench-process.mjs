// A process of a benchmark run, seen from the harness: its JSON lines on stdout, its log lines on
// stderr, its CPU time, and a clean end.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLOCK_TICK_US = 10_000; // USER_HZ is 100 on Linux
const STDERR_LINES_KEPT = 400;

/** User + system CPU time of a live process (all its threads), in microseconds, or undefined. */
export function procCpuUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US;
  } catch {
    return undefined;
  }
}

/**
 * Memory of a live process from /proc/<pid>/status, in bytes: `rss` now, `peakRss` (VmHWM, the
 * largest RSS it had), and RSS by kind (`anon`, `file`: mapped files such as an LMDB store,
 * `shmem`); undefined once it is gone.
 */
export function procMemory(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

export class BenchProcess {
  /**
   * @param {string} name @param {string[]} args node arguments (or `command`'s)
   * @param {NodeJS.ProcessEnv} env @param {string} command what to run (default: this Node)
   */
  constructor(name, args, env = {}, command = process.execPath) {
    this.name = name;
    this.messages = [];
    this.stderr = [];
    this.exitCode = undefined;
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {});
    this.#waiters = [];
    this.#collectors = [];
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) {
        // BENCH_STDOUT_DIR=dir keeps what else a stage prints (V8's GC traces) in dir/<name>.log.
        if (process.env.BENCH_STDOUT_DIR) appendFileSync(join(process.env.BENCH_STDOUT_DIR, `${name}.log`), `${line}\n`);
        return;
      }
      try {
        this.messages.push(JSON.parse(line));
      } catch {
        return;
      }
      this.#check();
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      this.stderr.push(line);
      for (const { pattern, lines } of this.#collectors) if (pattern.test(line)) lines.push(line);
      if (this.stderr.length > STDERR_LINES_KEPT) this.stderr.shift();
      if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      this.#check();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        resolve(this.exitCode);
        this.#check();
      }),
    );
  }

  #waiters;
  #collectors;

  /** The stderr lines matching `pattern` from now on, all of them (`stderr` keeps only the last ones). */
  collect(pattern) {
    const lines = [];
    this.#collectors.push({ pattern, lines });
    return lines;
  }

  get pid() {
    return this.child.pid;
  }

  /** The first JSON message with `field`, once it came. */
  message(field) {
    return this.messages.find((m) => m[field] !== undefined);
  }

  /**
   * Resolves once `predicate(this)` holds; rejects when the process exits first or after
   * `timeoutMs`, with the end of its stderr.
   */
  until(predicate, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve, reject, what };
      waiter.timer = setTimeout(() => this.#fail(waiter, `no ${what} within ${timeoutMs} ms`), timeoutMs);
      this.#waiters.push(waiter);
      this.#check();
    });
  }

  /** Resolves once a JSON message with `field` came. */
  untilMessage(field, timeoutMs) {
    return this.until(() => this.message(field) !== undefined, timeoutMs, `"${field}" message`).then(() => this.message(field));
  }

  /** Resolves once `count` stderr lines matched `pattern`. */
  untilLog(pattern, timeoutMs, count = 1) {
    return this.until(() => this.stderr.filter((line) => pattern.test(line)).length >= count, timeoutMs, `log line ${pattern}`);
  }

  go() {
    this.child.stdin.write('go\n');
  }

  /** CPU time so far (µs): from /proc while it runs, else what it reported at its exit. */
  cpuUs() {
    return procCpuUs(this.pid) ?? this.message('exitCpuUs')?.exitCpuUs;
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 15_000) {
    if (this.exitCode === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }

  #check() {
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(this)) {
        this.#settle(waiter);
        waiter.resolve();
      } else if (this.exitCode !== undefined) {
        this.#fail(waiter, `exited (${this.exitCode}) before ${waiter.what}`);
      }
    }
  }

  #settle(waiter) {
    clearTimeout(waiter.timer);
    this.#waiters = this.#waiters.filter((w) => w !== waiter);
  }

  #fail(waiter, why) {
    this.#settle(waiter);
    waiter.reject(new Error(`${this.name} ${why}:\n${this.stderr.slice(-15).join('\n')}`));
  }
}
