import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CatenaeError, ErrorCode, checkUniqueNames, linksOfModule, type LinkDefinition } from '@catenae/core';
import { locateLoadError } from './locate-load-error.js';

const modules = new WeakMap<LinkDefinition, string>();

/** The URL of the module a link was loaded from, which `--workers` threads import again. */
export function moduleUrlOf(link: LinkDefinition): string | undefined {
  return modules.get(link);
}

/**
 * Imports each link module and returns every link they export, checking names are unique.
 * `query` is appended to each module's URL (`catenae dev` loads each generation afresh).
 * @throws CatenaeError `CATENAE_NO_LINK` for a missing file, a module that fails to load (naming the
 *   file and line where it failed, the error as cause) or exports no link;
 *   `CATENAE_DUPLICATE_LINK` for two links of one name.
 */
export async function loadLinks(files: readonly string[], cwd: string, query = ''): Promise<LinkDefinition[]> {
  const links: LinkDefinition[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    if (!existsSync(path)) throw new CatenaeError(ErrorCode.NoLink, `cannot find link file ${file} (looked at ${path})`);
    let exports: Record<string, unknown>;
    const url = pathToFileURL(path).href;
    try {
      exports = (await import(url + query)) as Record<string, unknown>;
    } catch (err) {
      const where = await locateLoadError(err, url, cwd);
      const what = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
      throw new CatenaeError(ErrorCode.NoLink, `cannot load ${file}: ${what}${where === undefined ? '' : ` (at ${where})`}`, { cause: err });
    }
    for (const link of linksOfModule(exports, file)) {
      modules.set(link, pathToFileURL(path).href);
      links.push(link);
    }
  }
  checkUniqueNames(links);
  return links;
}
