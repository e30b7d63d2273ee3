import { fileURLToPath } from 'node:url';
import { CatenaeProcess, KAFKA } from '../support/catenae-process.js';

/** The compiled file of an example (`iss/source.js` → examples/dist/iss/source.js), from test/dist/examples. */
export function exampleFile(path: string): string {
  return fileURLToPath(new URL(`../../../examples/dist/${path}`, import.meta.url));
}

/**
 * Runs an example as its README does, `catenae run examples/dist/<path> -k KAFKA <args>`, and
 * registers it in `running` so the suite stops it whatever happens.
 */
export function runExample(running: CatenaeProcess[], path: string, args: string[], env?: NodeJS.ProcessEnv): CatenaeProcess {
  const process = new CatenaeProcess(['run', exampleFile(path), '-k', KAFKA, ...args], env);
  running.push(process);
  return process;
}

/** Stops every process of `running` (SIGTERM; no-op for those that exited). */
export async function stopAll(running: CatenaeProcess[]): Promise<void> {
  await Promise.all(running.splice(0).map((process) => process.stop()));
}
