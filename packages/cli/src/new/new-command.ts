import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { parseFlags, stringFlag } from '../parse-flags.js';
import { packageNameOf, scaffoldProject, type ProjectDependencies } from './scaffold-project.js';

/** Help of `catenae new`. */
export const NEW_USAGE = `catenae new <dir> [--name npm-name] [--tarballs dir]
  Writes a project into <dir>: package.json (@catenae/core, catenae; @catenae/kafka optional), a tsconfig
  for the decorators, a source, a middle and a leaf link, a TestDriver test, a Dockerfile on the
  link base image and a README. Then: cd <dir> && npm install && npm test.
  --name      the package name (default: the directory's name)
  --tarballs  a directory of pnpm pack tarballs to depend on (file:) instead of the registry`;

// The packages a new project depends on; the CLI loads @catenae/kafka for -k.
const PACKAGES = ['@catenae/core', 'catenae'] as const;
const OPTIONAL_PACKAGES = ['@catenae/kafka'] as const;

/**
 * `catenae new <dir>`: scaffolds a project whose `npm test` passes once installed.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for a missing or non-empty directory, a bad flag, or a
 *   tarball directory without the packages.
 */
export async function newCommand(argv: readonly string[], cwd = process.cwd(), print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const parsed = parseFlags('new', argv, { name: { type: 'string' }, tarballs: { type: 'string' } });
  if (parsed.positionals.length !== 1) throw new CatenaeError(ErrorCode.BadFlag, `catenae new takes one directory, e.g. catenae new my-app (got ${parsed.positionals.length})`);
  const dir = resolve(cwd, parsed.positionals[0]!);
  const name = stringFlag(parsed, 'name') ?? packageNameOf(basename(dir));
  const tarballs = stringFlag(parsed, 'tarballs');
  const deps = tarballs === undefined ? registryDependencies() : tarballDependencies(resolve(cwd, tarballs));
  const written = await scaffoldProject(dir, name, deps);
  const shown = relative(cwd, dir) || '.';
  print(`created ${shown}: ${written.join(', ')}`);
  print(`next: cd ${shown} && npm install && npm test   (then npm start, or npm run dev)`);
  return 0;
}

/** The packages at this CLI's own version (they are released together). */
function registryDependencies(): ProjectDependencies {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const range = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, `^${version}`]));
  return { dependencies: range(PACKAGES), optionalDependencies: range(OPTIONAL_PACKAGES) };
}

/**
 * The packages as `file:` tarballs, and overrides pointing every other dependency on them at the
 * same tarballs (the packages depend on each other by version range, which no registry serves).
 */
function tarballDependencies(dir: string): ProjectDependencies {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (err) {
    throw new CatenaeError(ErrorCode.BadFlag, `--tarballs ${dir} cannot be read: ${(err as Error).message}`);
  }
  const dependencies: Record<string, string> = {};
  const optionalDependencies: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (const name of [...PACKAGES, ...OPTIONAL_PACKAGES]) {
    const prefix = name.replace('@', '').replace('/', '-');
    const file = files.filter((f) => new RegExp(`^${prefix}-\\d+\\.\\d+\\.\\d+[^/]*\\.tgz$`).test(f)).sort().at(-1);
    if (file === undefined) throw new CatenaeError(ErrorCode.BadFlag, `--tarballs ${dir} has no ${prefix}-<version>.tgz (make them with pnpm -r pack)`);
    ((PACKAGES as readonly string[]).includes(name) ? dependencies : optionalDependencies)[name] = `file:${join(dir, file)}`;
    overrides[name] = `$${name}`;
  }
  return { dependencies, optionalDependencies, overrides };
}
