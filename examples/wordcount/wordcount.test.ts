import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestDriver } from '@catenae/core';
import { LINES } from '../filter/text.js';
import { Mapper, countWords } from './mapper.js';
import { Reducer } from './reducer.js';
import { Streamer } from './streamer.js';

function directCount(times: number): Record<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    for (const line of LINES) for (const [word, n] of countWords(line)) counts.set(word, (counts.get(word) ?? 0) + n);
  }
  return Object.fromEntries(counts);
}

test('word count with three mapper instances equals a direct count of the text', async () => {
  const driver = await TestDriver.start([Mapper, Reducer], {
    instances: { Mapper: 3 },
    links: { Reducer: { args: ['--quiet'] } },
  });
  try {
    for (let i = 0; i < 5; i++) for (const line of LINES) await driver.send('mapper_input', line);
    await driver.drain();
    assert.deepEqual(await driver.rpc('Reducer', 'snapshot', {}), directCount(5));
    const mappers = driver.instances('Mapper');
    assert.equal(new Set(mappers.map((m) => m.consumerGroup)).size, 1, 'the mappers share one group');
    assert.equal(mappers[0]!.consumerGroup, 'catenae_mapper');
  } finally {
    await driver.close();
  }
});

test('the streamer feeds the topology end to end', async () => {
  const driver = await TestDriver.start([Reducer, Mapper, Streamer], {
    instances: { Mapper: 2 },
    links: { Reducer: { args: ['--quiet'] }, Streamer: { output: 'mapper_input', args: ['--repeat', '3'] } },
  });
  try {
    await driver.drain();
    assert.equal(driver.read('mapper_input').length, LINES.length * 3);
    assert.deepEqual(await driver.rpc('Reducer', 'snapshot', {}), directCount(3));
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
