import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { PACKAGES, packWorkspace, tarballFile, tarballFiles, type PackageName } from './pack-workspace.js';

interface Manifest {
  name: string;
  version: string;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  engines?: { node?: string };
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | { types?: string; default?: string }>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packed = packWorkspace();
after(() => rmSync(packed.dir, { recursive: true, force: true }));

describe('the packed packages, as npm would publish them', () => {
  for (const name of Object.keys(PACKAGES) as PackageName[]) {
    it(`${name}: README, LICENSE, repository, engines; no tests, fixtures or source maps`, () => {
      const tarball = packed.tarballs[name];
      const files = tarballFiles(tarball);
      const manifest = JSON.parse(tarballFile(tarball, 'package.json')) as Manifest;
      assert.ok(files.includes('README.md'), `${name} has a README`);
      assert.ok(files.includes('LICENSE'), `${name} has a LICENSE`);
      assert.match(tarballFile(tarball, 'LICENSE'), /Apache License\s+Version 2\.0/);
      assert.equal(manifest.license, 'Apache-2.0');
      assert.match(manifest.repository?.url ?? '', /^git\+https:\/\/github\.com\//);
      assert.equal(manifest.repository?.directory, `packages/${name === 'catenae' ? 'cli' : name.slice('@catenae/'.length)}`);
      assert.match(manifest.engines?.node ?? '', /^>=20/);
      const unwanted = files.filter((f) => !f.startsWith('templates/') && /\.test\.|(^|\/)fixtures\/|\.map$|\.tsbuildinfo$|^src\//.test(f));
      assert.deepEqual(unwanted, [], `${name} ships no tests, fixtures, maps or sources`);
      for (const [section, deps] of [['dependencies', manifest.dependencies], ['peerDependencies', manifest.peerDependencies]] as const) {
        for (const [dep, range] of Object.entries(deps ?? {})) assert.ok(!range.startsWith('workspace:'), `${section}.${dep} is a version range, not ${range}`);
      }
    });

    it(`${name}: main, types, bin and every export point at files in the tarball`, () => {
      const tarball = packed.tarballs[name];
      const files = new Set(tarballFiles(tarball));
      const manifest = JSON.parse(tarballFile(tarball, 'package.json')) as Manifest;
      const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})];
      for (const target of Object.values(manifest.exports ?? {})) {
        if (typeof target === 'string') targets.push(target);
        else targets.push(target.types, target.default);
      }
      for (const target of targets) {
        if (target === undefined) continue;
        assert.ok(files.has(target.replace(/^\.\//, '')), `${name}: ${target} is in the tarball`);
      }
      assert.ok(manifest.types !== undefined && manifest.exports?.['.'] !== undefined, `${name} declares its types and its entry point`);
    });
  }

  it('the CLI ships the templates of catenae new and runs as a bin', () => {
    const files = tarballFiles(packed.tarballs.catenae);
    const manifest = JSON.parse(tarballFile(packed.tarballs.catenae, 'package.json')) as Manifest;
    assert.equal(manifest.bin?.catenae, './dist/bin.js');
    // The launcher's sh preamble: jemalloc when the system has it, then Node with its young generation.
    assert.match(tarballFile(packed.tarballs.catenae, 'dist/bin.js'), /^#!\/bin\/sh\n\/\/ .*libjemalloc\.so\.2.*LD_PRELOAD=.*\n\/\/ .*exec node --max-semi-space-size=64 "\$0" "\$@"\n/);
    assert.ok(files.some((f) => f.startsWith('templates/')), 'templates are packed');
  });
});
