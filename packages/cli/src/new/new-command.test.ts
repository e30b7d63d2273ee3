import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { newCommand } from './new-command.js';
import { packageNameOf } from './scaffold-project.js';

const workspace = fileURLToPath(new URL('../../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'catenae-new-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const quiet = () => undefined;

describe('catenae new', () => {
  it('writes package.json, tsconfig, three links, a test, a Dockerfile on the base image and a README', async () => {
    const lines: string[] = [];
    assert.equal(await newCommand(['My App'], scratch, (line) => lines.push(line)), 0);
    const dir = join(scratch, 'My App');
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string>; dependencies: Record<string, string>; optionalDependencies: Record<string, string> };
    assert.equal(manifest.name, 'my-app');
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['@catenae/core', 'catenae']);
    assert.deepEqual(Object.keys(manifest.optionalDependencies), ['@catenae/kafka'], 'a project without a C++ toolchain still installs');
    assert.ok([...Object.values(manifest.dependencies), ...Object.values(manifest.optionalDependencies)].every((range) => /^\^\d+\.\d+\.\d+$/.test(range)));
    assert.match(manifest.scripts.test!, /tsc && node --test/);
    for (const file of ['tsconfig.json', 'src/source.ts', 'src/middle.ts', 'src/leaf.ts', 'src/topology.test.ts', 'Dockerfile', 'README.md', '.gitignore', '.dockerignore']) {
      assert.ok(readFileSync(join(dir, file), 'utf8').length > 0, file);
    }
    assert.match(readFileSync(join(dir, 'tsconfig.json'), 'utf8'), /"experimentalDecorators": true/);
    assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /^FROM catenae\/link$/m);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /^# my-app$/m);
    assert.match(lines.at(-1)!, /npm install && npm test/);
  });

  it('with --tarballs the packages come from pnpm pack files, and overrides make every package take them', async () => {
    const tarballs = join(scratch, 'tarballs');
    mkdirSync(tarballs);
    for (const file of ['catenae-core-0.1.0.tgz', 'catenae-kafka-0.1.0.tgz', 'catenae-0.1.0.tgz', 'catenae-connectors-0.1.0.tgz']) writeFileSync(join(tarballs, file), '');
    await newCommand(['from-tarballs', '--tarballs', tarballs], scratch, quiet);
    const manifest = JSON.parse(readFileSync(join(scratch, 'from-tarballs', 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies: Record<string, string>; overrides: Record<string, string> };
    assert.equal(manifest.dependencies['@catenae/core'], `file:${join(tarballs, 'catenae-core-0.1.0.tgz')}`);
    assert.equal(manifest.optionalDependencies['@catenae/kafka'], `file:${join(tarballs, 'catenae-kafka-0.1.0.tgz')}`);
    assert.equal(manifest.dependencies.catenae, `file:${join(tarballs, 'catenae-0.1.0.tgz')}`);
    assert.equal(manifest.overrides['@catenae/core'], '$@catenae/core');
  });

  it('refuses a directory that holds files, a file, no directory and unknown flags', async () => {
    mkdirSync(join(scratch, 'full'));
    writeFileSync(join(scratch, 'full', 'x'), '');
    await assert.rejects(newCommand(['full'], scratch, quiet), { code: ErrorCode.BadFlag, message: /is not empty/ });
    await assert.rejects(newCommand([join('full', 'x')], scratch, quiet), { code: ErrorCode.BadFlag, message: /full\/x is a file: catenae new writes a project into a new or empty directory$/ });
    await assert.rejects(newCommand([], scratch, quiet), { code: ErrorCode.BadFlag });
    await assert.rejects(newCommand(['x', '--bogus'], scratch, quiet), { code: ErrorCode.BadFlag, message: /unknown flag --bogus/ });
  });

  it('the project compiles and its TestDriver test passes (against this workspace\'s packages)', async () => {
    await newCommand(['compiles'], scratch, quiet);
    const dir = join(scratch, 'compiles');
    // The packed-tarball test installs it with npm; here the workspace's copies stand in.
    mkdirSync(join(dir, 'node_modules', '@catenae'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
    symlinkSync(join(workspace, 'packages/core'), join(dir, 'node_modules/@catenae/core'));
    symlinkSync(join(workspace, 'node_modules/typescript'), join(dir, 'node_modules/typescript'));
    symlinkSync(join(workspace, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'));
    execFileSync(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc')], { cwd: dir, stdio: 'pipe' });
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // a test runner of its own, not a child of this one
    const out = execFileSync(process.execPath, ['--test', 'dist/topology.test.js'], { cwd: dir, encoding: 'utf8', env });
    assert.match(out, /# pass 2/);
    assert.match(out, /# fail 0/);
    // The Dockerfile copies dist/ into the image's app directory and runs a file the build made.
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^COPY dist\/ \.\/$/m);
    const [file] = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)![1]!) as string[];
    assert.ok(existsSync(join(dir, 'dist', file!)), `dist/${file} is built`);
  });

  it('names the package after the directory, as npm allows', () => {
    assert.equal(packageNameOf('My App'), 'my-app');
    assert.equal(packageNameOf('_x'), 'x');
    assert.equal(packageNameOf('***'), 'catenae-app');
  });
});
