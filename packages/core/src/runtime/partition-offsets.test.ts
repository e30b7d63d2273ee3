import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawRecord } from '../transport/records.js';
import { nextOffsets } from './partition-offsets.js';

const at = (topic: string, partition: number, offset: number): RawRecord => ({ topic, partition, offset, key: null, value: null, headers: undefined, timestamp: 0 });

describe('nextOffsets', () => {
  it('gives every partition of a batch the offset after its last record, runs of partitions interleaved', () => {
    const batch = [at('a', 0, 5), at('a', 0, 6), at('a', 1, 2), at('b', 0, 9), at('a', 0, 7), at('a', 1, 3)];
    assert.deepEqual(nextOffsets(batch), [
      { topic: 'a', partition: 0, offset: 8 },
      { topic: 'a', partition: 1, offset: 4 },
      { topic: 'b', partition: 0, offset: 10 },
    ]);
  });

  it('nothing for an empty batch', () => {
    assert.deepEqual(nextOffsets([]), []);
  });
});
