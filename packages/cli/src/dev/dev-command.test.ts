import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { devCommand, splitDevFlags } from './dev-command.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const workspace = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'catenae-dev-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A topology written as compiled JavaScript would be: the middle link's tag comes from a module
// it imports, so a change there must reach it through the import.
function writeTopology(): void {
  mkdirSync(join(dir, 'node_modules', '@catenae'), { recursive: true });
  symlinkSync(join(workspace, 'packages/core'), join(dir, 'node_modules/@catenae/core'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  writeFileSync(
    join(dir, 'feeder.js'),
    `import { defineLink } from '@catenae/core';
let n = 0;
const run = Date.now().toString(36);
export const Feeder = defineLink({ name: 'Feeder', output: 'dev_in', interval: 20, generator() { return run + '-' + n++; } });
`,
  );
  writeFileSync(join(dir, 'tag.js'), `export const tag = 'v1';\n`);
  writeFileSync(
    join(dir, 'middle.js'),
    `import { defineLink } from '@catenae/core';
import { tag } from './tag.js';
export const Middle = defineLink({ name: 'Middle', inputs: ['dev_in'], output: 'dev_out', transform(e) { return tag + ':' + e.value; } });
`,
  );
  writeFileSync(
    join(dir, 'sink.js'),
    `import { defineLink } from '@catenae/core';
export const Sink = defineLink({ name: 'Sink', inputs: ['dev_out'], transform(e) { console.log('got ' + e.value); } });
`,
  );
}

function waitForLine(lines: string[], listeners: (() => void)[], predicate: (line: string) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; saw:\n${lines.slice(-15).join('\n')}`)), timeoutMs);
    const check = () => {
      if (!lines.some(predicate)) return;
      clearTimeout(timer);
      listeners.splice(listeners.indexOf(check), 1);
      resolve();
    };
    listeners.push(check);
    check();
  });
}

it('catenae dev restarts the links when a module they import changes: one line per restart, drained and committed first', async () => {
  writeTopology();
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [BIN, 'dev', 'feeder.js', 'middle.js', 'sink.js', '--log-level', 'warn'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners: (() => void)[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const listener of [...listeners]) listener();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitForLine(lines, listeners, (line) => line.startsWith('got v1:'), 'the first generation at work');
    writeFileSync(join(dir, 'tag.js'), `export const tag = 'v2';\n`);
    await waitForLine(lines, listeners, (line) => line.startsWith('got v2:'), 'the changed module at work');
    writeFileSync(join(dir, 'tag.js'), `export const tag = 'v3';\n`);
    await waitForLine(lines, listeners, (line) => line.startsWith('got v3:'), 'the second change at work');
    const restarts = lines.filter((line) => line.startsWith('catenae dev: tag.js changed: restarted'));
    assert.equal(restarts.length, 2, `one line per restart:\n${restarts.join('\n')}`);
    assert.match(restarts[0]!, /restarted Feeder, Middle, Sink \(drained and committed in \d+ ms, started in \d+ ms\)/);
    // Committed before each restart: the next generation goes on from there, nothing is handled twice.
    const values = lines.filter((line) => line.startsWith('got ')).map((line) => line.slice(line.indexOf(':') + 1));
    assert.equal(new Set(values).size, values.length, 'no electron reached the sink twice');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});

it('--tsc and --watch are catenae dev\'s own; everything else is catenae run\'s', () => {
  assert.deepEqual(splitDevFlags(['a.js', '--tsc', '--watch', 'lib', '-k', 'h:1', '--', '--tsc']), { runArgv: ['a.js', '-k', 'h:1', '--', '--tsc'], watchDirs: ['lib'], runsTsc: true });
});

it('--tsc outside a TypeScript project is refused before anything starts', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'catenae-dev-empty-'));
  try {
    await assert.rejects(devCommand(['a.js', '--tsc'], {}, empty, Promise.resolve()), {
      code: ErrorCode.BadFlag,
      message: `--tsc runs the project's tsc --watch, but ${empty} has no tsconfig.json: run catenae dev from the project's directory`,
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

it('a link with nothing to do is refused at the first start, as catenae run refuses it', async () => {
  const idle = mkdtempSync(join(tmpdir(), 'catenae-dev-idle-'));
  try {
    mkdirSync(join(idle, 'node_modules', '@catenae'), { recursive: true });
    symlinkSync(join(workspace, 'packages/core'), join(idle, 'node_modules/@catenae/core'));
    writeFileSync(join(idle, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(idle, 'idle.js'), `import { defineLink } from '@catenae/core';\nexport const Idle = defineLink({ name: 'Idle' });\n`);
    // Were it started, the session would run until this and resolve 0.
    let timer: NodeJS.Timeout | undefined;
    const until = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)));
    await assert.rejects(devCommand(['idle.js', '--log-level', 'silent'], {}, idle, until), { code: ErrorCode.BadLink, message: /Idle/ });
    clearTimeout(timer);
  } finally {
    rmSync(idle, { recursive: true, force: true });
  }
});
