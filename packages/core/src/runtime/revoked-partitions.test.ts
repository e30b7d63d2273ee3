import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawRecord } from '../transport/records.js';
import { RevokedPartitions } from './revoked-partitions.js';

const record = (topic: string, partition: number): RawRecord => ({ topic, partition, offset: 0, key: null, value: null, timestamp: 0 }) as unknown as RawRecord;

describe('RevokedPartitions', () => {
  it('covers a transaction once every partition it read from was revoked since it began', async () => {
    const revoked = new RevokedPartitions();
    revoked.add([{ topic: 'in', partition: 0 }]);
    revoked.reset();
    revoked.add([{ topic: 'in', partition: 1 }]);
    const records = [record('in', 1), record('in', 0)];
    assert.equal(await revoked.cover(records, 0), false, 'partition 0 went before the transaction began');
    revoked.add([{ topic: 'in', partition: 0 }]);
    assert.equal(await revoked.cover(records, 0), true);
  });

  it('waits for revokes still to come, up to its deadline', async () => {
    const revoked = new RevokedPartitions();
    const covering = revoked.cover([record('in', 3)], 5000);
    setImmediate(() => revoked.add([{ topic: 'in', partition: 3 }]));
    assert.equal(await covering, true);
    assert.equal(await revoked.cover([record('other', 3)], 20), false);
  });
});
