import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomOffsets } from './random-offsets.js';

test('n distinct offsets below total', () => {
  for (let round = 0; round < 200; round++) {
    const offsets = randomOffsets(50, 7);
    assert.equal(offsets.length, 7);
    assert.equal(new Set(offsets).size, 7);
    assert.ok(offsets.every((offset) => Number.isInteger(offset) && offset >= 0 && offset < 50));
  }
});

test('n at or above total gives every offset once', () => {
  assert.deepEqual(randomOffsets(5, 9).sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual(randomOffsets(0, 3), []);
  assert.deepEqual(randomOffsets(10, 0), []);
});

test('every offset is drawn about equally often', () => {
  const hits = new Array<number>(10).fill(0);
  const rounds = 20_000;
  for (let round = 0; round < rounds; round++) for (const offset of randomOffsets(10, 3)) hits[offset]!++;
  // Each offset is chosen with probability 3/10: expect 6000 hits, within 5 % (about 6 sigma).
  for (const count of hits) assert.ok(Math.abs(count - 6_000) < 300, hits.join());
});

test('the draw follows the random source', () => {
  assert.deepEqual(randomOffsets(100, 3, () => 0), [0, 98, 99]);
});
