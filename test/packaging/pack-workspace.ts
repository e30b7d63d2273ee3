import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The published packages, by npm name → tarball file name prefix `pnpm pack` gives. */
export const PACKAGES = {
  '@catenae/core': 'catenae-core',
  '@catenae/kafka': 'catenae-kafka',
  '@catenae/connectors': 'catenae-connectors',
  '@catenae/state-lmdb': 'catenae-state-lmdb',
  catenae: 'catenae',
} as const;

export type PackageName = keyof typeof PACKAGES;

/**
 * `pnpm -r pack` of the packages under packages/ (already built) into a new temporary directory,
 * as a release would make them: `workspace:` ranges become versions. Returns the tarball of each,
 * and how long packing took.
 */
export function packWorkspace(): { dir: string; tarballs: Record<PackageName, string>; ms: number } {
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'catenae-pack-'));
  execFileSync('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
  const files = readdirSync(dir);
  const tarballs = {} as Record<PackageName, string>;
  for (const [name, prefix] of Object.entries(PACKAGES) as [PackageName, string][]) {
    const file = files.find((f) => new RegExp(`^${prefix}-\\d+\\.\\d+\\.\\d+.*\\.tgz$`).test(f));
    if (file === undefined) throw new Error(`pnpm pack made no tarball for ${name} in ${dir}: ${files.join(', ')}`);
    tarballs[name] = join(dir, file);
  }
  return { dir, tarballs, ms: Date.now() - startedAt };
}

/** The paths inside a tarball, without the leading `package/`. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^package\//, ''));
}

/** One file of a tarball, as text. */
export function tarballFile(tarball: string, path: string): string {
  return execFileSync('tar', ['xzf', tarball, '-O', `package/${path}`], { encoding: 'utf8' });
}
