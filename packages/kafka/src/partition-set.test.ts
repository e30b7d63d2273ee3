import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionSet } from './partition-set.js';

describe('PartitionSet', () => {
  it('counts each topic partition once and forgets emptied topics', () => {
    const set = new PartitionSet();
    set.addAll([
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
      { topic: 'a', partition: 0 },
    ]);
    assert.equal(set.size, 3);
    assert.ok(set.has('a', 1) && !set.has('b', 1) && !set.has('c', 0));
    set.deleteAll([{ topic: 'b', partition: 0 }, { topic: 'b', partition: 7 }]);
    assert.equal(set.size, 2);
    assert.deepEqual(set.list(), [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
    ]);
    set.clear();
    assert.equal(set.size, 0);
  });
});
