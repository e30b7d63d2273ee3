import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { CatenaeProcess, KAFKA, uniqueTopic } from '../support/catenae-process.js';

const workspace = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'catenae-dev-kafka-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Compiled JavaScript as tsc would leave it; the middle link's tag comes from a module it imports.
function writeTopology(input: string, output: string): void {
  mkdirSync(join(dir, 'node_modules', '@catenae'), { recursive: true });
  symlinkSync(join(workspace, 'packages/core'), join(dir, 'node_modules/@catenae/core'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  writeFileSync(
    join(dir, 'feeder.js'),
    `import { defineLink } from '@catenae/core';
let n = 0;
const run = Date.now().toString(36);
export const Feeder = defineLink({ name: 'Feeder', output: '${input}', interval: 50, generator() { return run + '-' + n++; } });
`,
  );
  writeFileSync(join(dir, 'tag.js'), `export const tag = 'v1';\n`);
  writeFileSync(
    join(dir, 'middle.js'),
    `import { defineLink } from '@catenae/core';
import { tag } from './tag.js';
export const Middle = defineLink({ name: 'Middle', inputs: ['${input}'], output: '${output}', transform(e) { return tag + ':' + e.value; } });
`,
  );
  writeFileSync(
    join(dir, 'sink.js'),
    `import { defineLink } from '@catenae/core';
export const Sink = defineLink({ name: 'Sink', inputs: ['${output}'], transform(e) { console.log('got ' + e.value); } });
`,
  );
}

it('catenae dev -k runs the links on Kafka and restarts them on a change, committed first: nothing handled twice', { timeout: 180_000 }, async () => {
  writeTopology(uniqueTopic('dev_in'), uniqueTopic('dev_out'));
  const dev = new CatenaeProcess(['dev', join(dir, 'feeder.js'), join(dir, 'middle.js'), join(dir, 'sink.js'), '-k', KAFKA, '--log-level', 'warn']);
  try {
    await dev.waitFor((line) => line.startsWith('got v1:'), 90_000, 'the first generation at work');
    writeFileSync(join(dir, 'tag.js'), `export const tag = 'v2';\n`);
    await dev.waitFor((line) => line.startsWith('got v2:'), 90_000, 'the changed module at work');
    const restarts = dev.stderr.filter((line) => line.startsWith('catenae dev: '));
    assert.equal(restarts.filter((line) => line.includes('changed: restarted Feeder, Middle, Sink')).length, 1, restarts.join('\n'));
    const values = dev.stdout.filter((line) => line.startsWith('got ')).map((line) => line.slice(line.indexOf(':') + 1));
    assert.equal(new Set(values).size, values.length, 'no electron reached the sink twice');
    assert.equal(await dev.stop(), 0);
  } finally {
    dev.child.kill('SIGKILL');
  }
});
