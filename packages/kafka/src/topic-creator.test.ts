import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { createKafkaTransport } from './kafka-transport-factory.js';
import type Kafka from 'node-rdkafka';
import { ensureKafkaTopics, newTopicRequest } from './topic-creator.js';

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

describe('a topic a Kafka transport just created, on a cluster', () => {
  it('is reported with its partition count, whatever a broker that has not caught up lists', async () => {
    // The listing of every topic comes from a broker that has not seen the creation; asked by name, another one has.
    const metadataClient = {
      getMetadata: (options: Kafka.MetadataOptions, done: (err: unknown, data: Kafka.Metadata) => void) => {
        const partitions = [0, 1, 2, 3].map((id) => ({ id, leader: 1, replicas: [1, 2, 3], isrs: [1, 2, 3] }));
        const topics = options.allTopics === true ? [] : [{ name: options.topic!, partitions }];
        setImmediate(done, null, { orig_broker_id: 1, orig_broker_name: 'b1', brokers: [], topics });
      },
    };
    const admin = { createTopic: (_request: Kafka.NewTopic, _ms: number, done: (err: unknown) => void) => setImmediate(done, null) };
    const created = await ensureKafkaTopics(admin as unknown as Kafka.IAdminClient, metadataClient as unknown as Kafka.Producer, [{ topic: 'calls.keyed', partitions: 4 }], 5000);
    assert.deepEqual([...created], [['calls.keyed', 4]]);
  });
});
