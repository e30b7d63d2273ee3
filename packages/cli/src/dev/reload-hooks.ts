// Module customization hooks of `catenae dev` (registered with node:module's register). A module
// imported with `?catenae-dev=<n>` passes that query on to every file it imports under the watched
// directories, so generation n loads fresh copies of the project's own modules, however deep,
// while packages (node_modules, and anything outside the watched directories, such as
// @catenae/core itself) stay loaded once: the links of every generation share one runtime and one
// embedded broker.
import { fileURLToPath } from 'node:url';

/** The query naming a generation of the watched modules. */
export const GENERATION_PARAM = 'catenae-dev';

let roots: readonly string[] = [];

/** Receives the watched directories (absolute, each ending with a separator). */
export function initialize(data: { roots: readonly string[] }): void {
  roots = data.roots;
}

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string | null }>;

/** Appends the importing module's generation to the URLs of watched files. */
export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<{ url: string; format?: string | null }> {
  const result = await nextResolve(specifier, context);
  const generation = context.parentURL === undefined ? null : generationOf(context.parentURL);
  if (generation === null || !result.url.startsWith('file:')) return result;
  const url = new URL(result.url);
  if (url.search !== '' || !isWatched(fileURLToPath(url))) return result;
  url.searchParams.set(GENERATION_PARAM, generation);
  return { ...result, url: url.href };
}

/** Whether a file lies under a watched directory and outside any node_modules. */
export function isWatchedBy(path: string, watched: readonly string[]): boolean {
  return !path.includes('/node_modules/') && !path.includes('\\node_modules\\') && watched.some((root) => path.startsWith(root));
}

function isWatched(path: string): boolean {
  return isWatchedBy(path, roots);
}

function generationOf(url: string): string | null {
  if (!url.startsWith('file:') || !url.includes(GENERATION_PARAM)) return null;
  return new URL(url).searchParams.get(GENERATION_PARAM);
}
