import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { createKafkaTransport } from './kafka-transport-factory.js';
import { newTopicRequest } from './topic-creator.js';

describe('the topics a Kafka transport creates', () => {
  it('get the cluster default replication factor (-1) unless one is given', () => {
    assert.deepEqual(newTopicRequest({ topic: 'out' }, undefined), { topic: 'out', num_partitions: -1, replication_factor: -1 });
    assert.deepEqual(newTopicRequest({ topic: 'g.counts.changelog', partitions: 4, config: { 'cleanup.policy': 'compact' } }, 3), {
      topic: 'g.counts.changelog',
      num_partitions: 4,
      replication_factor: 3,
      config: { 'cleanup.policy': 'compact' },
    });
  });

  it('refuses a replication factor that is not a positive integer, by code', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createKafkaTransport({ brokers: '127.0.0.1:9092', replicationFactor: bad }), { code: ErrorCode.BadFlag, message: /--replication-factor ".*" is not a positive integer/ });
    }
    assert.equal(createKafkaTransport({ brokers: '127.0.0.1:9092', replicationFactor: 3 }).kind, 'kafka');
  });
});
