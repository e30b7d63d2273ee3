import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommitTracker, PartitionTracker } from './commit-tracker.js';

describe('PartitionTracker', () => {
  it('commits nothing until the first offset finished', () => {
    const tracker = new PartitionTracker('t', 0);
    tracker.register(10);
    tracker.register(11);
    assert.equal(tracker.committable, -1);
    assert.equal(tracker.isDirty, false);
    assert.equal(tracker.pending, 2);
  });

  it('a later offset finishing first does not move the commit past an unfinished one', () => {
    const tracker = new PartitionTracker('t', 0);
    const [a, b, c] = [tracker.register(10), tracker.register(11), tracker.register(12)];
    tracker.markDone(c);
    assert.equal(tracker.committable, -1);
    tracker.markDone(b);
    assert.equal(tracker.committable, -1);
    tracker.markDone(a!);
    assert.equal(tracker.committable, 13, 'all three finished: commit the next offset to read');
    assert.equal(tracker.pending, 0);
  });

  it('advances only to the lowest unfinished offset', () => {
    const tracker = new PartitionTracker('t', 0);
    const seqs = [5, 6, 7, 8, 9].map((offset) => tracker.register(offset));
    tracker.markDone(seqs[0]!);
    assert.equal(tracker.committable, 6);
    tracker.markDone(seqs[3]!);
    tracker.markDone(seqs[4]!);
    assert.equal(tracker.committable, 6, 'offset 6 is still in flight');
    tracker.markDone(seqs[2]!);
    assert.equal(tracker.committable, 6);
    tracker.markDone(seqs[1]!);
    assert.equal(tracker.committable, 10);
  });

  it('follows gaps in offsets (compacted topics, transaction markers)', () => {
    const tracker = new PartitionTracker('t', 0);
    const a = tracker.register(100);
    const b = tracker.register(105);
    tracker.markDone(a);
    assert.equal(tracker.committable, 101);
    tracker.markDone(b);
    assert.equal(tracker.committable, 106);
  });

  it('ignores a second markDone and an unknown sequence number', () => {
    const tracker = new PartitionTracker('t', 0);
    const a = tracker.register(0);
    tracker.register(1);
    tracker.markDone(a);
    tracker.isDirty = false;
    tracker.markDone(a);
    tracker.markDone(99);
    tracker.markDone(-1);
    assert.equal(tracker.committable, 1);
    assert.equal(tracker.pending, 1);
  });

  it('keeps exact commits over many thousands of offsets finishing out of order', () => {
    const tracker = new PartitionTracker('t', 0);
    const total = 20_000;
    const seqs: number[] = [];
    for (let offset = 0; offset < total; offset++) seqs.push(tracker.register(offset));
    // Finish in blocks of 100 offsets, each block backwards; offset 15_000 stays unfinished.
    for (let block = 0; block < total; block += 100) {
      for (let i = block + 99; i >= block; i--) if (i !== 15_000) tracker.markDone(seqs[i]!);
      const expected = block + 100 <= 15_000 ? block + 100 : 15_000;
      assert.equal(tracker.committable, expected, `after block ${block}`);
    }
    assert.equal(tracker.pending, total - 15_000);
    // Registering more after compaction keeps sequence numbers valid.
    const late = tracker.register(total);
    tracker.markDone(seqs[15_000]!);
    assert.equal(tracker.committable, total);
    tracker.markDone(late);
    assert.equal(tracker.committable, total + 1);
    assert.equal(tracker.pending, 0);
  });
});

describe('CommitTracker', () => {
  it('hands out each moved partition once, with the next offset to read', () => {
    const tracker = new CommitTracker();
    const p0 = tracker.trackerFor('t', 0);
    const p1 = tracker.trackerFor('t', 1);
    const a = p0.register(3);
    p1.register(8);
    p0.markDone(a);
    assert.deepEqual(tracker.takeCommittable(), [{ topic: 't', partition: 0, offset: 4 }]);
    assert.deepEqual(tracker.takeCommittable(), [], 'nothing moved since');
    assert.equal(tracker.pending, 1);
  });

  it('keeps one tracker per topic and partition', () => {
    const tracker = new CommitTracker();
    assert.equal(tracker.trackerFor('a', 0), tracker.trackerFor('a', 0));
    assert.notEqual(tracker.trackerFor('a', 0), tracker.trackerFor('a', 1));
    assert.notEqual(tracker.trackerFor('a', 1), tracker.trackerFor('b', 1));
    assert.equal(tracker.trackerFor('a', 1), tracker.trackerFor('a', 1));
  });

  it('forgets revoked partitions: their late completions commit nothing', () => {
    const tracker = new CommitTracker();
    const revoked = tracker.trackerFor('t', 0);
    const kept = tracker.trackerFor('t', 1);
    const late = revoked.register(0);
    const ok = kept.register(0);
    tracker.drop([{ topic: 't', partition: 0 }]);
    revoked.markDone(late);
    kept.markDone(ok);
    assert.deepEqual(tracker.takeCommittable(), [{ topic: 't', partition: 1, offset: 1 }]);
    assert.notEqual(tracker.trackerFor('t', 0), revoked, 'a re-assigned partition starts afresh');
    assert.equal(tracker.pending, 0);
  });
});
