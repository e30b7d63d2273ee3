import type { RawRecord } from '@catenae/core';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SkipGuard } from './skip-guard.js';

const records = (topic: string, partition: number, from: number, to: number): RawRecord[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ topic, partition, offset: from + i, key: null, value: Buffer.from(`${from + i}`), headers: undefined, timestamp: 0 }));
const offsets = (list: RawRecord[]) => list.map((r) => `${r.topic}${r.partition}@${r.offset}`);

describe('SkipGuard', () => {
  it('hands out a batch untouched when no partition is guarded', () => {
    const guard = new SkipGuard();
    const batch = records('a', 0, 0, 3);
    assert.equal(guard.isEmpty, true);
    assert.equal(guard.filter(batch, () => assert.fail('no seek')), batch);
  });

  it('drops what librdkafka reads below the floor after undoing a seek, seeks again once, and never hands a record out twice', () => {
    const guard = new SkipGuard();
    const seeks: string[] = [];
    const seek = (topic: string, partition: number, offset: number) => seeks.push(`${topic}${partition}@${offset}`);
    guard.raise('a', 0, 6);
    // The seek held for a while: 6 and 7 were read. Then the committed-offset answer reset the position to 0.
    assert.deepEqual(offsets(guard.filter(records('a', 0, 6, 7), seek)), ['a0@6', 'a0@7']);
    const mixed = [...records('a', 0, 0, 4), ...records('b', 0, 0, 1), ...records('a', 0, 5, 9)];
    assert.deepEqual(offsets(guard.filter(mixed, seek)), ['b0@0', 'b0@1', 'a0@8', 'a0@9']);
    assert.deepEqual(seeks, ['a0@8']);
    assert.equal(guard.floorOf('a', 0), 10);
    assert.equal(guard.floorOf('b', 0), -1);
  });

  it('never lowers a floor, and forgets revoked partitions', () => {
    const guard = new SkipGuard();
    guard.raise('a', 0, 6);
    guard.raise('a', 0, 3);
    guard.raise('a', 1, 2);
    assert.equal(guard.floorOf('a', 0), 6);
    guard.retain((_topic, partition) => partition === 1);
    assert.equal(guard.floorOf('a', 0), -1);
    assert.equal(guard.floorOf('a', 1), 2);
    guard.retain(() => false);
    assert.equal(guard.isEmpty, true);
  });
});
