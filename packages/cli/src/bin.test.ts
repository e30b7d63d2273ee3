import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

interface Seen {
  execArgv: string[];
  pid: number;
  /** Whether libjemalloc is mapped into the process. */
  jemalloc: boolean;
  /** LD_PRELOAD as the link's code (and any process it starts) sees it. */
  preload: string | null;
}

// Where the launcher looks for jemalloc (Debian's libjemalloc2 and Alpine's jemalloc among them),
// written out here so the test does not take the launcher's word for it.
const JEMALLOC_PATHS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'].map((dir) => join(dir, 'libjemalloc.so.2'));
const hasJemalloc = JEMALLOC_PATHS.some((path) => existsSync(path));

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
    await writeFile(
      reporter,
      [
        "import { readFileSync } from 'node:fs';",
        "const jemalloc = readFileSync('/proc/self/maps', 'utf8').includes('libjemalloc');",
        'console.log(JSON.stringify({ execArgv: process.execArgv, pid: process.pid, jemalloc, preload: process.env.LD_PRELOAD ?? null }));',
        'process.exit(0);',
      ].join('\n'),
    );
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
    assert.equal(seen.jemalloc, false);
  });

  it(`loads jemalloc when the system has it (${hasJemalloc ? 'it has' : 'it has not'}), keeping it out of the environment of processes the link starts`, async () => {
    const seen = await runLauncher('/bin/sh', [BIN, 'run', reporter], { LD_PRELOAD: '' });
    assert.equal(seen.jemalloc, hasJemalloc);
    assert.equal(seen.preload, null);
  });

  it('keeps a preload of the user’s own beside jemalloc, and CATENAE_MALLOC=system leaves the system’s malloc', async () => {
    const own = join(dir, 'not-a-library.so');
    const kept = await runLauncher('/bin/sh', [BIN, 'run', reporter], { LD_PRELOAD: own });
    assert.equal(kept.preload, own);
    const system = await runLauncher('/bin/sh', [BIN, 'run', reporter], { CATENAE_MALLOC: 'system' });
    assert.equal(system.jemalloc, false);
  });
});
