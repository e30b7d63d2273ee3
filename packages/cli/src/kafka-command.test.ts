import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@catenae/core';
import { importOptional } from './import-optional.js';

const CLI = fileURLToPath(new URL('..', import.meta.url));

/** Runs `node <bin> <args>` to its end. */
function runBin(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('catenae kafka', () => {
  const bin = join(CLI, 'dist/bin.js');

  it('--help prints what it does, exit 0', async () => {
    for (const args of [['kafka', '--help'], ['kafka', 'up', '--help'], ['kafka', '-h']]) {
      const { code, stdout, stderr } = await runBin(bin, args);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Usage:\n {2}catenae kafka up \[--port N\]/);
      assert.match(stdout, /--port N, -p N/);
    }
  });

  it('a bad port is named as given, exit 2', async () => {
    for (const [args, expected] of [
      [['kafka', 'up', '--port', 'abc'], 'catenae: --port "abc" is not a port number (1 to 65534) (CATENAE_BAD_FLAG)\n'],
      [['kafka', 'down', '--port=70000'], 'catenae: --port "70000" is not a port number (1 to 65534) (CATENAE_BAD_FLAG)\n'],
      [['kafka', 'up', '-p'], 'catenae: -p "" is not a port number (1 to 65534) (CATENAE_BAD_FLAG)\n'],
    ] as const) {
      const { code, stderr } = await runBin(bin, [...args]);
      assert.equal(code, 2);
      assert.equal(stderr, expected);
    }
    const fromEnv = await runBin(bin, ['kafka', 'down'], { KAFKA_PORT: '90x' });
    assert.equal(fromEnv.stderr, 'catenae: KAFKA_PORT "90x" is not a port number (1 to 65534) (CATENAE_BAD_FLAG)\n');
  });

  it('down when no broker runs says so, exit 0', async () => {
    // A port no broker of catenae's cache runs on.
    const { code, stderr } = await runBin(bin, ['kafka', 'down', '--port', '39511']);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'no local Kafka broker started by catenae runs on port 39511: nothing to stop\n');
  });
});

describe('an optional package that is not installed', () => {
  it('importOptional says what to install, as CATENAE_MISSING_PACKAGE', async () => {
    await assert.rejects(importOptional('@catenae/not-installed', '-k (running on Kafka)'), {
      code: ErrorCode.MissingPackage,
      message: '-k (running on Kafka) needs @catenae/not-installed, which is not installed here: add it to your project (npm install @catenae/not-installed)',
    });
  });

  it('catenae run -k and catenae kafka, in a project without @catenae/kafka, say to install it (exit 20)', async (t) => {
    // A project as a user makes it: catenae and @catenae/core installed, @catenae/kafka not.
    const project = await mkdtemp(join(tmpdir(), 'catenae-nokafka-'));
    t.after(() => rm(project, { recursive: true, force: true }));
    const modules = join(project, 'node_modules');
    await mkdir(join(modules, '@catenae'), { recursive: true });
    // A copy, not a link: Node resolves a linked package from its real place, which has @catenae/kafka.
    await cp(join(CLI, 'dist'), join(modules, 'catenae/dist'), { recursive: true });
    await cp(join(CLI, 'package.json'), join(modules, 'catenae/package.json'));
    for (const dependency of ['@catenae/core', 'yargs']) await symlink(await realpath(join(CLI, 'node_modules', dependency)), join(modules, dependency), 'dir');
    await writeFile(join(project, 'package.json'), '{ "type": "module" }');
    await writeFile(join(project, 'link.js'), "import { defineLink } from '@catenae/core';\nexport const Echo = defineLink({ name: 'Echo', transform: (e) => e });\n");
    const projectBin = join(modules, 'catenae/dist/bin.js');
    const run = await runBin(projectBin, ['run', join(project, 'link.js'), '-k', '127.0.0.1:9092', '-i', 'x']);
    assert.equal(run.code, 20);
    assert.equal(run.stderr, 'catenae: -k (running on Kafka) needs @catenae/kafka, which is not installed here: add it to your project (npm install @catenae/kafka) (CATENAE_MISSING_PACKAGE)\n');
    const up = await runBin(projectBin, ['kafka', 'up', '--port', '39512']);
    assert.equal(up.code, 20);
    assert.match(up.stderr, /^catenae: catenae kafka needs @catenae\/kafka, which is not installed here: add it to your project \(npm install @catenae\/kafka\) \(CATENAE_MISSING_PACKAGE\)\n$/);
  });
});
