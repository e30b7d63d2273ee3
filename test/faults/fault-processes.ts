import { after } from 'node:test';
import { CatenaeProcess } from '../support/catenae-process.js';

/**
 * The `catenae run` processes of one fault test file, started from test/faults/fixtures; any
 * still running when the file's tests end are killed, so a failed test leaves nothing behind.
 */
export class FaultProcesses {
  readonly #running: CatenaeProcess[] = [];

  constructor() {
    after(() => {
      for (const process of this.#running) if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL');
    });
  }

  /** `catenae run fixtures/<fixture> -k KAFKA ...args`. */
  run(fixture: string, args: string[], env?: NodeJS.ProcessEnv): CatenaeProcess {
    const process = CatenaeProcess.run(fixture, args, env, 'faults');
    this.#running.push(process);
    return process;
  }
}
