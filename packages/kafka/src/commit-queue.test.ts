import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { CommitQueue } from './commit-queue.js';
import { RdkafkaCode } from './kafka-errors.js';

describe('CommitQueue', () => {
  it('settles commits oldest first with the answers librdkafka gives', async () => {
    const queue = new CommitQueue(10_000);
    const first = queue.add();
    const second = queue.add();
    const third = queue.add();
    queue.settle(undefined);
    queue.settle(Object.assign(new Error('Broker: Specified group generation id is not valid'), { code: 22 }));
    queue.settle({ code: RdkafkaCode.NoOffset, message: 'Local: No offset stored' });
    await first;
    await assert.rejects(second, { code: ErrorCode.Broker, message: /refused a commit: Broker: Specified group generation/ });
    await third;
    assert.equal(queue.size, 0);
  });

  it('a commit with no answer in time rejects, and its late answer does not go to the next one', async () => {
    const queue = new CommitQueue(20);
    const slow = queue.add();
    await assert.rejects(slow, { code: ErrorCode.Broker, message: /did not answer a commit within 20 ms/ });
    const next = queue.add();
    queue.settle(undefined); // the late answer of `slow`
    assert.equal(queue.size, 1);
    const emptied = queue.whenEmpty(Date.now() + 10_000);
    queue.settle(Object.assign(new Error('Broker: Not coordinator'), { code: 16 }));
    await assert.rejects(next, { message: /Not coordinator/ });
    await emptied;
  });

  it('failAll rejects what is open', async () => {
    const queue = new CommitQueue(10_000);
    const open = queue.add();
    queue.failAll(new Error('closed'));
    await assert.rejects(open, { message: 'closed' });
  });
});
