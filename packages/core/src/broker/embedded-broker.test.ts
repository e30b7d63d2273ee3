import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../errors.js';
import { partitionForKey } from '../partition/murmur2.js';
import type { OutgoingRecord, RawRecord } from '../transport/records.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { EmbeddedTransportFactory } from './embedded-transport.js';

function out(topic: string, key: string | Buffer | null, value: string, partition?: number): OutgoingRecord {
  return { topic, partition, key, value: Buffer.from(value), headers: undefined, timestamp: undefined };
}

function fetchOnce(transport: ReturnType<EmbeddedTransportFactory['create']>, max = 1_000, waitMs = 2_000): Promise<RawRecord[]> {
  return new Promise((resolve, reject) => transport.fetch(max, waitMs, (err, records) => (err ? reject(err) : resolve(records))));
}

describe('EmbeddedBroker', () => {
  it('creates a topic on first produce with 4 partitions, like auto.create.topics.enable', () => {
    const broker = new EmbeddedBroker();
    broker.append([out('fresh', null, 'x')]);
    assert.equal(broker.partitionCount('fresh'), 4);
    assert.deepEqual(broker.topics(), ['fresh']);
  });

  it('refuses a missing topic when auto-creation is off, and names Kafka would refuse', () => {
    const broker = new EmbeddedBroker({ autoCreateTopics: false });
    assert.throws(() => broker.append([out('missing', null, 'x')]), { code: ErrorCode.Broker });
    assert.throws(() => broker.createTopic('bad name'), { code: ErrorCode.Broker });
    assert.throws(() => broker.createTopic('..'), { code: ErrorCode.Broker });
    assert.throws(() => broker.createTopic('ok', 0), { code: ErrorCode.Broker });
    assert.throws(() => new EmbeddedBroker({ defaultPartitions: 0 }), { code: ErrorCode.BadFlag });
  });

  it('leaves an existing topic as it is', () => {
    const broker = new EmbeddedBroker();
    assert.equal(broker.createTopic('t', 2), true);
    assert.equal(broker.createTopic('t', 8), false);
    assert.equal(broker.partitionCount('t'), 2);
  });

  it('puts a keyed record where murmur2 says, a string key as its UTF-8 bytes', () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('t', 7);
    broker.append([out('t', 'clé', 'a'), out('t', Buffer.from('clé'), 'b')]);
    const records = broker.topicRecords('t');
    const expected = partitionForKey(Buffer.from('clé', 'utf8'), 7);
    assert.deepEqual(records.map((r) => r.partition), [expected, expected]);
    assert.deepEqual(records[0]!.key, Buffer.from('clé'));
  });

  it('spreads records without key or partition at random, one draw per record, as the Kafka transport does', () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('t', 4);
    broker.append(Array.from({ length: 1000 }, (_, i) => out('t', null, `${i}`)));
    const counts = broker.endOffsets('t');
    // Binomial(1000, 1/4): 250 ± 13.7; below 150 is beyond 7 standard deviations.
    assert.ok(counts.every((n) => n >= 150), `a burst reaches every partition: ${counts.join(' ')}`);
    const partitions = broker.topicRecords('t').map((record) => record.partition);
    const rotation = partitions.every((p, i) => i === 0 || p === (partitions[i - 1]! + 1) % 4);
    assert.equal(rotation, false, 'not a fixed rotation, which Kafka does not do either');
  });

  it('appends the valid records of a call and throws for a partition that does not exist', () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('t', 2);
    assert.throws(() => broker.append([out('t', null, 'a', 0), out('t', null, 'b', 2), out('t', null, 'c', 1)]), {
      code: ErrorCode.Broker,
      message: /partition 2 of topic "t" does not exist/,
    });
    assert.deepEqual(broker.endOffsets('t'), [1, 1]);
  });

  it('lists a topic in append order across partitions', () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('t', 3);
    const order = [2, 0, 2, 1, 0, 2];
    broker.append(order.map((p, i) => out('t', null, `${i}`, p)));
    assert.deepEqual(broker.topicRecords('t').map((r) => r.value!.toString()), ['0', '1', '2', '3', '4', '5']);
    assert.deepEqual(broker.topicRecords('none'), []);
  });

  it('stamps the produce time where a record has none, and keeps a given one', () => {
    const broker = new EmbeddedBroker();
    const before = Date.now();
    broker.append([out('t', null, 'now'), { ...out('t', null, 'then'), timestamp: 42 }]);
    const [now, then] = broker.topicRecords('t');
    assert.ok(now!.timestamp >= before && now!.timestamp <= Date.now());
    assert.equal(then!.timestamp, 42);
  });

  it('reports committed offsets and lag per group', async () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('t', 2);
    broker.append(Array.from({ length: 10 }, (_, i) => out('t', null, `${i}`, i % 2)));
    assert.equal(broker.lag('g', 't'), 10, 'a group that committed nothing lags by everything');
    const consumer = new EmbeddedTransportFactory(broker).create({ clientId: 'c', groupId: 'g' });
    consumer.subscribe(['t'], { onAssigned() {}, onRevoked() {} });
    await fetchOnce(consumer);
    await consumer.commit([{ topic: 't', partition: 0, offset: 5 }, { topic: 't', partition: 1, offset: 2 }]);
    assert.equal(broker.committed('g', 't', 0), 5);
    assert.equal(broker.committed('g', 't', 1), 2);
    assert.equal(broker.committed('other', 't', 0), undefined);
    assert.equal(broker.lag('g', 't'), 3);
    await consumer.close();
  });

  it('is idle only once members fetched everything and nothing is scheduled', async () => {
    const broker = new EmbeddedBroker();
    const factory = new EmbeddedTransportFactory(broker);
    const producer = factory.create({ clientId: 'p' });
    const consumer = factory.create({ clientId: 'c', groupId: 'g' });
    await consumer.ensureTopics([{ topic: 't' }]);
    assert.equal(broker.idle(), true);
    consumer.subscribe(['t'], { onAssigned() {}, onRevoked() {} });
    assert.equal(broker.idle(), false, 'a rebalance is pending');
    await fetchOnce(consumer, 1, 50);
    const acked = new Promise((resolve) => producer.produce([out('t', null, 'x'), out('t', null, 'y')], resolve));
    assert.equal(broker.idle(), false, 'an acknowledgement is pending');
    await acked;
    assert.equal(broker.idle(), false, 'the consumer has not fetched them');
    assert.equal((await fetchOnce(consumer, 1)).length, 1);
    assert.equal(broker.idle(), false, 'one record is left');
    await fetchOnce(consumer);
    assert.equal(broker.idle(), true);
    await Promise.all([producer.close(), consumer.close()]);
  });

  it('moves a consumer behind the retained records to the earliest one kept', async () => {
    const broker = new EmbeddedBroker({ retentionRecords: 5 });
    broker.createTopic('t', 1);
    const consumer = new EmbeddedTransportFactory(broker).create({ clientId: 'c', groupId: 'g' });
    consumer.subscribe(['t'], { onAssigned() {}, onRevoked() {} });
    await fetchOnce(consumer, 1, 50);
    broker.append(Array.from({ length: 12 }, (_, i) => out('t', null, `${i}`)));
    assert.deepEqual((await fetchOnce(consumer)).map((r) => r.offset), [7, 8, 9, 10, 11]);
    assert.equal(broker.topicRecords('t').length, 5);
    await consumer.close();
  });
});
