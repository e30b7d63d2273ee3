import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Imports an optional package as the user's project sees it (resolved from the working
 * directory), for the plug-ins core must not depend on. Resolves false when it is not installed.
 */
export async function importFromCwd(name: string): Promise<boolean> {
  let resolved: string;
  try {
    resolved = createRequire(pathToFileURL(`${process.cwd()}/`)).resolve(name);
  } catch {
    return false;
  }
  await import(pathToFileURL(resolved).href);
  return true;
}
