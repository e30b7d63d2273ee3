import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isWatchedBy } from './reload-hooks.js';

const EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.json']);

/**
 * Watches directories for changed module files (.js, .mjs, .cjs, .json, outside node_modules)
 * and calls `onChange` with the paths whose content changed, once writes paused for `quietMs`:
 * a compiler rewriting a file with the same bytes, or writing many files, makes no or one call.
 */
export class FileWatcher {
  readonly #roots: readonly string[];
  readonly #quietMs: number;
  readonly #onChange: (paths: string[]) => void;
  readonly #hashes = new Map<string, string>();
  readonly #touched = new Set<string>();
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;

  /** @param roots absolute directories, each ending with a path separator. */
  constructor(roots: readonly string[], onChange: (paths: string[]) => void, quietMs = 150) {
    this.#roots = roots;
    this.#onChange = onChange;
    this.#quietMs = quietMs;
  }

  /** Reads what the files hold now, then starts watching. */
  async start(): Promise<void> {
    for (const root of this.#roots) for (const path of await moduleFiles(root)) this.#hashes.set(path, await hashOf(path));
    this.#watchers = this.#roots.map((root) =>
      watch(root, { recursive: true }, (_event, name) => {
        if (name === null) return;
        const path = join(root, name.toString());
        if (!EXTENSIONS.has(extname(path)) || !isWatchedBy(path, this.#roots)) return;
        this.#touched.add(path);
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.#settle(), this.#quietMs);
      }),
    );
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
  }

  async #settle(): Promise<void> {
    const changed: string[] = [];
    for (const path of [...this.#touched]) {
      this.#touched.delete(path);
      const hash = await hashOf(path);
      if (hash === this.#hashes.get(path)) continue;
      this.#hashes.set(path, hash);
      changed.push(path);
    }
    if (changed.length > 0) this.#onChange(changed.sort());
  }
}

async function moduleFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await moduleFiles(path)));
    else if (EXTENSIONS.has(extname(entry.name))) found.push(path);
  }
  return found;
}

// A deleted file hashes as '' (a change: its importers fail to load until it is back).
async function hashOf(path: string): Promise<string> {
  try {
    return createHash('sha1').update(await readFile(path)).digest('hex');
  } catch {
    return '';
  }
}
