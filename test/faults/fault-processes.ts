import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { CatenaeProcess, KAFKA } from '../support/catenae-process.js';

/**
 * The `catenae run` processes of one fault test file, started from test/faults/fixtures; any
 * still running when the file's tests end are killed, so a failed test leaves nothing behind.
 * With `FAULT_LOGS=<dir>`, each process's output is written there (`<fixture>-<n>.log`).
 */
export class FaultProcesses {
  readonly #running: (CatenaeProcess & { fixture: string })[] = [];
  readonly #kafka: string;

  /** @param kafka the bootstrap servers the processes get as `-k` (default `KAFKA_BOOTSTRAP`). */
  constructor(kafka = KAFKA) {
    this.#kafka = kafka;
    after(() => {
      this.killAll();
      const dir = process.env.FAULT_LOGS;
      if (dir === undefined) return;
      mkdirSync(dir, { recursive: true });
      this.#running.forEach((run, i) => writeFileSync(join(dir, `${run.fixture}-${Date.now()}-${i}.log`), [...run.stdout, ...run.stderr].join('\n')));
    });
  }

  /** SIGKILL to every process still running (a failed test's, so the next test has the machine). */
  killAll(): void {
    for (const run of this.#running) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  }

  /** `catenae run fixtures/<fixture> -k <kafka> ...args`. */
  run(fixture: string, args: string[], env?: NodeJS.ProcessEnv): CatenaeProcess {
    const run = CatenaeProcess.run(fixture, args, env, 'faults', this.#kafka);
    this.#running.push(Object.assign(run, { fixture }));
    return run;
  }
}
