import { CatenaeError, ErrorCode } from '@catenae/core';

/**
 * Imports an optional package of the `catenae` command (`@catenae/kafka` for `-k` and `catenae
 * kafka`, `@catenae/connectors` for `-m`/`-a`).
 * @throws CatenaeError `CATENAE_MISSING_PACKAGE` saying what to install when it is not installed,
 *   or naming the package and the error (as cause) when it fails to load.
 */
export async function importOptional<T>(name: string, neededFor: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    const { code, message } = err as { code?: string; message?: string };
    // Only the package itself missing: a dependency of it that is missing is another problem.
    if (code === 'ERR_MODULE_NOT_FOUND' && String(message).includes(`'${name}'`)) {
      throw new CatenaeError(ErrorCode.MissingPackage, `${neededFor} needs ${name}, which is not installed here: add it to your project (npm install ${name})`, { cause: err });
    }
    throw new CatenaeError(ErrorCode.MissingPackage, `${neededFor} needs ${name}, which failed to load: ${String(message).split('\n')[0]}`, { cause: err });
  }
}
