import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestDriver } from '@catenae/core';
import { LINES } from '../filter/text.js';
import { Mapper, countWords } from './mapper.js';
import { Reducer } from './reducer.js';
import { Streamer } from './streamer.js';
import { Tally } from './tally.js';

function directCount(times: number): Record<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    for (const line of LINES) for (const [word, n] of countWords(line)) counts.set(word, (counts.get(word) ?? 0) + n);
  }
  return Object.fromEntries(counts);
}

function sorted(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

test('word count with three mappers and two reducers equals a direct count of the text', async () => {
  const driver = await TestDriver.start([Mapper, Reducer], { instances: { Mapper: 3, Reducer: 2 } });
  try {
    for (let i = 0; i < 5; i++) for (const line of LINES) await driver.send('mapper_input', line);
    await driver.drain();
    const expected = directCount(5);
    assert.deepEqual(sorted(Object.fromEntries(driver.table<string, number>('Reducer', 'counts'))), sorted(expected));
    const held = driver.instances('Reducer').map((reducer) => reducer.ctx.tables.counts!.size);
    assert.ok(held.every((n) => n > 0), `both reducers hold words: ${held.join(', ')}`);
    const mappers = driver.instances('Mapper');
    assert.equal(new Set(mappers.map((m) => m.consumerGroup)).size, 1, 'the mappers share one group');
    assert.equal(mappers[0]!.consumerGroup, 'catenae_mapper');
  } finally {
    await driver.close();
  }
});

test('snapshot is answered per key by the reducer holding the word', async () => {
  const driver = await TestDriver.start([Mapper, Reducer], { instances: { Reducer: 2 } });
  try {
    for (const line of LINES) await driver.send('mapper_input', line);
    await driver.drain();
    const expected = directCount(1);
    const words = Object.keys(expected).slice(0, 20);
    const answers = await Promise.all(words.map((word) => driver.rpc({ link: 'Reducer', key: word }, 'snapshot', word)));
    assert.deepEqual(answers, words.map((word) => expected[word]));
  } finally {
    await driver.close();
  }
});

test('a reducer restarted on the same broker keeps counting from where it was', async () => {
  const first = await TestDriver.start([Mapper, Reducer]);
  const broker = first.broker;
  for (const line of LINES) await first.send('mapper_input', line);
  await first.drain();
  await first.close();
  const second = await TestDriver.start([Mapper, Reducer], { broker });
  try {
    for (const line of LINES) await second.send('mapper_input', line);
    await second.drain();
    assert.deepEqual(sorted(Object.fromEntries(second.table<string, number>('Reducer', 'counts'))), sorted(directCount(2)));
  } finally {
    await second.close();
  }
});

test('the streamer feeds the topology end to end and the tally adds every reducer up', async () => {
  const driver = await TestDriver.start([Tally, Reducer, Mapper, Streamer], {
    instances: { Mapper: 2, Reducer: 2 },
    links: { Tally: { args: ['--quiet'] }, Streamer: { output: 'mapper_input', args: ['--repeat', '3'] } },
  });
  try {
    await driver.drain();
    assert.equal(driver.read('mapper_input').length, LINES.length * 3);
    const expected = directCount(3);
    assert.deepEqual(sorted(Object.fromEntries(driver.table<string, number>('Tally', 'latest'))), sorted(expected));
    const [tally] = driver.instances('Tally');
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    assert.match((tally!.instance as Tally).summary(), new RegExp(`^counted ${total} words`));
  } finally {
    await driver.close();
  }
});

test('every count of one word travels under that word as key', async () => {
  const driver = await TestDriver.start([Mapper]);
  try {
    await driver.send('mapper_input', 'a b a');
    await driver.drain();
    const pairs = driver.read<number>('reducer_input').map((e) => [e.key, e.value]);
    assert.deepEqual(pairs.sort(), [['a', 2], ['b', 1]]);
  } finally {
    await driver.close();
  }
});
