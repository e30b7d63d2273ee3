import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

interface Seen {
  execArgv: string[];
  pid: number;
}

/** Runs `catenae run <module>` the given way; the module reports its process and exits at import. */
function runLauncher(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Seen & { childPid: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env: { ...process.env, NODE_OPTIONS: '', ...env } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve({ ...(JSON.parse(stdout) as Seen), childPid: child.pid! });
    });
  });
}

describe('the catenae launcher', () => {
  let dir: string;
  let reporter: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'catenae-bin-'));
    reporter = join(dir, 'report.mjs');
    await writeFile(reporter, 'console.log(JSON.stringify({ execArgv: process.execArgv, pid: process.pid }));\nprocess.exit(0);\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('run by /bin/sh, as the bin shims and a symlinked bin do, execs Node with a 64 MB young generation in the same process', async () => {
    const seen = await runLauncher('/bin/sh', [BIN, 'run', reporter]);
    assert.deepEqual(seen.execArgv, ['--max-semi-space-size=64']);
    assert.equal(seen.pid, seen.childPid, 'the pid a supervisor holds is the link process');
  });

  it('leaves the young generation to NODE_OPTIONS when it sets one', async () => {
    const seen = await runLauncher('/bin/sh', [BIN, 'run', reporter], { NODE_OPTIONS: '--max-semi-space-size=16' });
    assert.deepEqual(seen.execArgv, []);
  });

  it('still runs as `node bin.js`, with Node’s default', async () => {
    const seen = await runLauncher(process.execPath, [BIN, 'run', reporter]);
    assert.deepEqual(seen.execArgv, []);
  });
});
