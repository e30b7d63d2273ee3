import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawRecord } from '../transport/records.js';
import { PartitionLog } from './partition-log.js';

function fill(log: PartitionLog, count: number): void {
  for (let i = 0; i < count; i++) log.append(null, Buffer.from(`${i}`), undefined, 1_000 + i, i);
}

describe('PartitionLog', () => {
  it('numbers records from offset 0 and stamps topic, partition and timestamp', () => {
    const log = new PartitionLog('t', 2);
    fill(log, 3);
    assert.equal(log.startOffset, 0);
    assert.equal(log.endOffset, 3);
    assert.deepEqual(log.at(1), { topic: 't', partition: 2, offset: 1, key: null, value: Buffer.from('1'), headers: undefined, timestamp: 1_001 });
    assert.equal(log.at(3), undefined);
  });

  it('reads a range in offset order and returns the next position', () => {
    const log = new PartitionLog('t', 0);
    fill(log, 10);
    const out: RawRecord[] = [];
    assert.equal(log.read(4, 3, out), 7);
    assert.deepEqual(out.map((r) => r.offset), [4, 5, 6]);
    assert.equal(log.read(8, 100, out), 10, 'a read stops at the end of the log');
    assert.deepEqual(out.map((r) => r.offset), [4, 5, 6, 8, 9]);
  });

  it('hands out the stored record objects without copying', () => {
    const log = new PartitionLog('t', 0);
    const value = Buffer.from('v');
    const stored = log.append(null, value, undefined, 0, 0);
    const out: RawRecord[] = [];
    log.read(0, 1, out);
    assert.equal(out[0], stored);
    assert.equal(out[0]!.value, value);
  });

  it('keeps only the newest records under retention, never reusing offsets', () => {
    const log = new PartitionLog('t', 0, 10);
    fill(log, 5_000);
    assert.equal(log.startOffset, 4_990);
    assert.equal(log.endOffset, 5_000);
    assert.equal(log.at(4_989), undefined);
    assert.equal(log.sequenceAt(4_990), 4_990);
    const out: RawRecord[] = [];
    log.read(4_995, 100, out);
    assert.deepEqual(out.map((r) => r.offset), [4_995, 4_996, 4_997, 4_998, 4_999]);
  });

  it('wakes its readers on every append', () => {
    const log = new PartitionLog('t', 0);
    let woken = 0;
    log.readers.push({ onAppend: () => woken++ });
    fill(log, 3);
    assert.equal(woken, 3);
  });
});
