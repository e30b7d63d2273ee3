import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { defineLink, type LinkDefinition } from '@catenae/core';
import { loadLinks } from '../load-links.js';
import { buildGraphModel } from './graph-model.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const WORDCOUNT = ['streamer', 'mapper', 'reducer', 'tally'].map((name) => `examples/dist/wordcount/${name}.js`);

// The word count's links, the streamer writing to the mappers' topic as `-o mapper_input` makes it.
async function wordcountLinks(): Promise<LinkDefinition[]> {
  const [streamer, ...rest] = await loadLinks(WORDCOUNT, root);
  return [{ ...streamer!, options: { ...streamer!.options, output: 'mapper_input' } }, ...rest];
}

test('the word count is a source, two middle links and a leaf joined by three topics', async () => {
  const model = buildGraphModel(await wordcountLinks());
  assert.deepEqual(
    model.links.map((l) => [l.name, l.kind]),
    [['Streamer', 'source'], ['Mapper', 'middle'], ['Reducer', 'middle'], ['Tally', 'leaf']],
  );
  assert.deepEqual(model.topics.map((t) => t.name), ['mapper_input', 'reducer_input', 'word_counts']);
  assert.deepEqual(
    model.edges.map((e) => `${e.from} -> ${e.to}`),
    [
      'link:Streamer -> topic:mapper_input',
      'topic:mapper_input -> link:Mapper',
      'link:Mapper -> topic:reducer_input',
      'topic:reducer_input -> link:Reducer',
      'link:Reducer -> topic:word_counts',
      'topic:word_counts -> link:Tally',
    ],
  );
  assert.deepEqual(model.links[2]!.rpcMethods.sort(), ['reset', 'snapshot']);
  assert.deepEqual(model.links[2]!.tables, ['table counts']);
  assert.deepEqual(model.links[0]!.generators, ['generator lines()']);
  assert.ok(model.edges.every((e) => e.priority === undefined), 'no priorities where every handler has the default');
});

test('inputs of distinct priorities carry them, and a handler naming a topic wins over the default inputs', () => {
  const router = defineLink({
    name: 'Router',
    inputs: ['urgent', 'bulk'],
    output: 'routed',
    transform() {},
    transforms: [{ topic: 'urgent', priority: 10, handle() {} }],
  });
  const model = buildGraphModel([router]);
  const inputs = model.edges.filter((e) => e.kind === 'input').map((e) => [e.from, e.priority, e.handler]);
  assert.deepEqual(inputs, [
    ['topic:urgent', 10, 'transform:urgent:0'],
    ['topic:bulk', 0, 'transform'],
  ]);
});

test('a link without its topics is drawn and says what it lacks', () => {
  const model = buildGraphModel([
    defineLink({ name: 'Ticker', generator() {}, interval: 500 }),
    defineLink({ name: 'Sink', transform() {} }),
  ]);
  assert.deepEqual(
    model.links.map((l) => [l.name, l.kind, l.missingInputs, l.missingOutput, l.generators]),
    [
      ['Ticker', 'source', false, true, ['generator every 500 ms']],
      ['Sink', 'leaf', true, false, []],
    ],
  );
  assert.deepEqual(model.edges, []);
});
