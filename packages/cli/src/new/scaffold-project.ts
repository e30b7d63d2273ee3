import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatenaeError, ErrorCode } from '@catenae/core';

/** The project `catenae new` writes, copied from the CLI package's `templates/app`. */
const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/app/', import.meta.url));
// npm drops `.gitignore` from published packages: the template keeps it under another name.
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/** What a new project depends on, and how npm finds it. */
export interface ProjectDependencies {
  /** npm name → version range or `file:` tarball. */
  dependencies: Record<string, string>;
  /**
   * The same, for packages a project can do without: `@catenae/kafka`, whose native build needs a
   * C++ toolchain. npm installs them unless told `--omit=optional`, and a failed build does not
   * fail the install: tests and embedded runs go on, `-k` then asks for the package.
   */
  optionalDependencies: Record<string, string>;
  /** npm `overrides`, so that packages depending on each other take the same copies. */
  overrides?: Record<string, string>;
}

/**
 * Writes a new project into `dir` (created; it must not exist or be empty): `package.json` with
 * the given dependencies, the template's tsconfig, links, test, Dockerfile and README, with
 * `{{name}}` replaced. Returns the paths written, relative to `dir`.
 * @throws CatenaeError `CATENAE_BAD_FLAG` when `dir` is a file or holds files already.
 */
export async function scaffoldProject(dir: string, name: string, deps: ProjectDependencies): Promise<string[]> {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new CatenaeError(ErrorCode.BadFlag, `${dir} is a file: catenae new writes a project into a new or empty directory`);
    if (readdirSync(dir).length > 0) throw new CatenaeError(ErrorCode.BadFlag, `${dir} is not empty: catenae new writes a project into a new or empty directory`);
  }
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifestOf(name, deps), null, 2)}\n`);
  written.push('package.json');
  for (const source of await templateFiles(TEMPLATE_DIR)) {
    const path = relative(TEMPLATE_DIR, source);
    const target = join(dirname(path), RENAMED[basename(path)] ?? basename(path));
    await mkdir(join(dir, dirname(target)), { recursive: true });
    const text = (await readFile(source, 'utf8')).replaceAll('{{name}}', name);
    await writeFile(join(dir, target), text);
    written.push(target);
  }
  return written;
}

/** The new project's package.json. */
function manifestOf(name: string, deps: ProjectDependencies): Record<string, unknown> {
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.6' },
    scripts: {
      build: 'tsc',
      test: 'tsc && node --test dist/*.test.js',
      start: 'catenae run dist/source.js dist/middle.js dist/leaf.js',
      dev: 'tsc && catenae dev --tsc dist/source.js dist/middle.js dist/leaf.js',
      'kafka:up': 'catenae kafka up',
      'kafka:down': 'catenae kafka down',
    },
    dependencies: deps.dependencies,
    optionalDependencies: deps.optionalDependencies,
    devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.3' },
    ...(deps.overrides === undefined ? {} : { overrides: deps.overrides }),
  };
}

/** An npm package name made of a directory name: lower case, only the characters npm allows. */
export function packageNameOf(base: string): string {
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'catenae-app' : name.slice(0, 214);
}

async function templateFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await templateFiles(path)));
    else files.push(path);
  }
  return files.sort();
}
