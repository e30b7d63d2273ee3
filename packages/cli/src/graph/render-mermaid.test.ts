import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { defineLink } from '@catenae/core';
import { loadLinks } from '../load-links.js';
import { buildGraphModel } from './graph-model.js';
import { renderMermaid } from './render-mermaid.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

test('the word count in Mermaid: a node per link and topic, an edge per write and read', async () => {
  const [streamer, ...rest] = await loadLinks(['streamer', 'mapper', 'reducer', 'tally'].map((n) => `examples/dist/wordcount/${n}.js`), root);
  const links = [{ ...streamer!, options: { ...streamer!.options, output: 'mapper_input' } }, ...rest];
  const lines = renderMermaid(buildGraphModel(links)).split('\n');
  assert.equal(lines[0], 'flowchart LR');
  assert.ok(lines.includes('  L0(["<b>Streamer</b><br/><i>source link</i><br/>generator lines()"]):::source'));
  assert.ok(lines.includes('  L1["<b>Mapper</b><br/><i>middle link</i>"]:::middle'));
  assert.ok(lines.includes('  L2["<b>Reducer</b><br/><i>middle link</i><br/>table counts<br/>rpc snapshot()<br/>rpc reset()"]:::middle'), lines.join('\n'));
  assert.ok(lines.includes('  L3[["<b>Tally</b><br/><i>leaf link</i><br/>table latest"]]:::leaf'), lines.join('\n'));
  assert.ok(lines.includes('  T0[/"mapper_input"/]:::topic'));
  assert.ok(lines.includes('  T1[/"reducer_input"/]:::topic'));
  assert.ok(lines.includes('  T2[/"word_counts"/]:::topic'));
  const edges = lines.filter((line) => line.includes('-->')).map((line) => line.trim());
  assert.deepEqual(edges, ['L0 --> T0', 'T0 --> L1', 'L1 --> T1', 'T1 --> L2', 'L2 --> T2', 'T2 --> L3']);
});

test('priorities label the input edges and odd names cannot break a label', () => {
  const model = buildGraphModel([
    defineLink({ name: 'A "quoted" <link> #1', output: 'out', transforms: [{ topic: 'high', priority: 2, handle() {} }, { topic: 'low', handle() {} }] }),
  ]);
  const text = renderMermaid(model);
  assert.match(text, /^ {2}T0 -->\|"priority 2"\| L0$/m);
  assert.match(text, /^ {2}T1 -->\|"priority 0"\| L0$/m);
  assert.match(text, /^ {2}L0 --> T2$/m);
  assert.ok(text.includes('<b>A #34;quoted#34; #60;link#62; #35;1</b>'));
});
