import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { main } from '../main.js';
import { graphCommand } from './graph-command.js';
import { parseGraphArgs } from './parse-graph-args.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const wc = (name: string) => `examples/dist/wordcount/${name}.js`;

test('-i and -o apply to the file given before them', () => {
  const request = parseGraphArgs([wc('streamer'), '-o', 'mapper_input', wc('mapper'), wc('reducer'), '--input=a, b', '--out', 'g.svg']);
  assert.deepEqual(request.files, [
    { file: wc('streamer'), override: { output: 'mapper_input' } },
    { file: wc('mapper'), override: {} },
    { file: wc('reducer'), override: { inputs: ['a', 'b'] } },
  ]);
  assert.equal(request.format, 'svg');
  assert.equal(request.out, 'g.svg');
});

test('with one file, -i and -o may come first; the format follows --out or --format', () => {
  assert.deepEqual(parseGraphArgs(['-i', 'x', 'm.js']).files, [{ file: 'm.js', override: { inputs: ['x'] } }]);
  assert.equal(parseGraphArgs(['m.js']).format, 'mermaid');
  assert.equal(parseGraphArgs(['m.js', '--out', 'g.mmd']).format, 'mermaid');
  assert.equal(parseGraphArgs(['m.js', '--format', 'svg']).format, 'svg');
});

test('bad graph arguments are one-line errors naming the flag', () => {
  const bad = (argv: string[], message: RegExp) => assert.throws(() => parseGraphArgs(argv), { code: ErrorCode.BadFlag, message });
  bad([], /needs at least one link file/);
  bad(['-o', 't', 'a.js', 'b.js'], /put them after the link file/);
  bad(['a.js', '--colour', 'red'], /unknown flag --colour/);
  bad(['a.js', '--format', 'png'], /--format "png" is not one of mermaid, svg/);
  bad(['a.js', '--out', 'g.png'], /cannot tell the format/);
  bad(['a.js', '-i'], /-i needs a value/);
  bad(['a.js', '-i', ','], /names no topic/);
});

test('catenae graph writes the word count as SVG, and as Mermaid on stdout', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'catenae-graph-'));
  try {
    const messages: string[] = [];
    const files = [wc('streamer'), '-o', 'mapper_input', wc('mapper'), wc('reducer'), wc('tally')];
    const out = join(dir, 'wordcount.svg');
    assert.equal(await graphCommand([...files, '--out', out], { cwd: root, stderr: (t) => messages.push(t) }), 0);
    const svg = await readFile(out, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.deepEqual(messages, [`catenae: wrote ${out} (4 links, 3 topics)\n`]);
    let printed = '';
    await graphCommand(files, { cwd: root, stdout: (t) => (printed += t) });
    assert.match(printed, /^flowchart LR\n/);
    assert.match(printed, /^ {2}L0 --> T0$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('-o on a file with several links, a missing file and a bad path are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'catenae-graph-'));
  try {
    const module = join(dir, 'two.mjs');
    const core = import.meta.resolve('@catenae/core');
    await writeFile(module, `import { defineLink } from '${core}';\nexport const A = defineLink({ name: 'A', generator() {} });\nexport const B = defineLink({ name: 'B', generator() {} });\n`);
    await assert.rejects(graphCommand([module, '-o', 't'], { cwd: dir }), { code: ErrorCode.BadFlag, message: /exports 2 \(A, B\)/ });
    assert.equal(await graphCommand([module], { cwd: dir, stdout: () => {} }), 0);
    await assert.rejects(graphCommand(['nope.js'], { cwd: dir }), { code: ErrorCode.NoLink });
    await assert.rejects(graphCommand([module, '--out', join(dir, 'no', 'such', 'dir.svg')], { cwd: dir }), { code: ErrorCode.BadFlag, message: /cannot be written/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('catenae graph --help prints the usage with the graph line', async (t) => {
  let printed = '';
  t.mock.method(process.stdout, 'write', (text: string) => ((printed += text), true));
  assert.equal(await main(['graph', '--help'], {}), 0);
  t.mock.restoreAll();
  assert.match(printed, /catenae graph <link files\.\.\.>/);
});
