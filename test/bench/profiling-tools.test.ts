import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bench = (file: string) => fileURLToPath(new URL(`../../../native-bench/${file}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'catenae-profiling-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A stage that allocates 200-byte strings in a named function for about a second.
const ALLOCATING_STAGE = `
function makeGarbage() { let kept = ''; for (let i = 0; i < 20000; i++) kept = 'x'.repeat(200) + i; return kept; }
const end = Date.now() + 1000;
(function loop() { makeGarbage(); if (Date.now() < end) setImmediate(loop); })();
`;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the allocation sampler records a window of a stage, and the summary names the function that allocated', async () => {
  const stage = await run(['--import', bench('lib/alloc-sampler.mjs'), '-e', ALLOCATING_STAGE], {
    ALLOC_PROFILE_DIR: dir,
    ALLOC_PROFILE_START_MS: '100',
    ALLOC_PROFILE_MS: '500',
  });
  assert.equal(stage.code, 0, stage.stderr);
  const [file] = readdirSync(dir).filter((name) => name.endsWith('.heapprofile'));
  assert.ok(file, `no profile written: ${stage.stderr}`);
  const summary = await run([bench('alloc-summary.mjs'), join(dir, file), '1000', '5']);
  assert.equal(summary.code, 0, summary.stderr);
  assert.match(summary.stdout, /MB sampled over 500 ms {2}\s*\d+ B\/electron/);
  const top = summary.stdout.split('\n')[1]!;
  assert.match(top, /makeGarbage/, summary.stdout);
});

test("the GC trace of a stage adds up to its scavenges and the bytes it allocated", async () => {
  const stage = await run(['--import', bench('lib/gc-trace.mjs'), '-e', ALLOCATING_STAGE]);
  assert.equal(stage.code, 0, stage.stderr);
  const log = join(dir, 'stage.log');
  writeFileSync(log, stage.stdout);
  const summary = await run([bench('gc-summary.mjs'), log]);
  assert.equal(summary.code, 0, summary.stderr);
  const scavenges = /^scavenge: (\d+), \d+ ms paused, (\d+) MB allocated/m.exec(summary.stdout);
  assert.ok(scavenges, summary.stdout);
  assert.ok(Number(scavenges[1]) > 0 && Number(scavenges[2]) > 10, summary.stdout);
});
