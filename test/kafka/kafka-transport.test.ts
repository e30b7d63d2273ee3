// KafkaTransport behaviour specific to Kafka, on a real broker (KAFKA_BOOTSTRAP, default
// 127.0.0.1:9092). The behaviour every transport shares is in transport-contract.test.ts.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode, type RawRecord, type TopicPartition, type Transport, type TransportOptions } from '@catenae/core';
import { createKafkaTransport, kafkaClientErrorChannel, type KafkaClientErrorMessage } from '@catenae/kafka';
import { fetchOnce, fetchUntil, KAFKA_BOOTSTRAP, outgoing, produceAll, uniqueName, waitFor } from '../helpers/kafka.js';

const factory = createKafkaTransport({ brokers: KAFKA_BOOTSTRAP });
const open: Transport[] = [];

async function connected(options: Partial<TransportOptions> = {}, config?: Record<string, string>): Promise<Transport> {
  const f = config === undefined ? factory : createKafkaTransport({ brokers: KAFKA_BOOTSTRAP, config });
  const transport = f.create({ clientId: uniqueName('client'), ...options });
  open.push(transport);
  await transport.connect();
  return transport;
}

/** A rebalance listener that keeps the owned partitions, as the runtime does. */
function owner(): { owned: TopicPartition[]; revoked: TopicPartition[][]; onAssigned(p: TopicPartition[]): void; onRevoked(p: TopicPartition[]): void } {
  return {
    owned: [],
    revoked: [],
    onAssigned(partitions) {
      this.owned.push(...partitions);
    },
    onRevoked(partitions) {
      this.revoked.push(partitions);
      this.owned = this.owned.filter((o) => !partitions.some((p) => p.topic === o.topic && p.partition === o.partition));
    },
  };
}

const text = (b: Buffer | null): string => (b === null ? '' : b.toString('utf8'));

after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

describe('KafkaTransport on a real broker', { timeout: 120_000 }, () => {
  it('keyed records land where Java clients put them (Kafka UtilsTest murmur2 vectors)', async () => {
    // Java's Utils.murmur2 of these keys; the partition is toPositive(hash) % partitions.
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    const topic = uniqueName('murmur2');
    const producer = await connected();
    await producer.ensureTopics([{ topic, partitions: 7 }]);
    await produceAll(producer, vectors.flatMap(([key]) => [outgoing(topic, key, `${key}-1`), outgoing(topic, key, `${key}-2`)]));
    const consumer = await connected({ groupId: uniqueName('murmur2') });
    consumer.subscribe([topic], owner());
    const received: RawRecord[] = [];
    await fetchUntil(consumer, received, () => received.length >= vectors.length * 2, 'every keyed record');
    for (const [key, hash] of vectors) {
      const partitions = received.filter((r) => text(r.key) === key).map((r) => r.partition);
      assert.deepEqual(partitions, [(hash & 0x7fffffff) % 7, (hash & 0x7fffffff) % 7], `key "${key}"`);
    }
  });

  it('connect to an unreachable broker fails with CATENAE_BROKER within its bound', async () => {
    const transport = createKafkaTransport({ brokers: '127.0.0.1:1', connectTimeoutMs: 2000 }).create({
      clientId: uniqueName('unreachable'),
      groupId: uniqueName('unreachable'),
    });
    const started = Date.now();
    await assert.rejects(transport.connect(), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.Broker);
      assert.match(err.message, /^cannot reach Kafka at 127\.0\.0\.1:1 within 2 s: \S/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
    assert.ok(Date.now() - started < 4500, `took ${Date.now() - started} ms`);
    await transport.close();
  });

  it('malformed brokers and unknown librdkafka settings fail with CATENAE_BAD_FLAG', async () => {
    assert.throws(() => createKafkaTransport({ brokers: 'localhost' }), { code: ErrorCode.BadFlag });
    const transport = createKafkaTransport({ brokers: KAFKA_BOOTSTRAP, config: { 'no.such.setting': '1' } }).create({
      clientId: uniqueName('badconfig'),
    });
    await assert.rejects(transport.connect(), { code: ErrorCode.BadFlag, message: /no\.such\.setting/ });
  });

  it('a full local producer queue (QUEUE_FULL) delays records but loses none and keeps their order', async () => {
    const topic = uniqueName('queuefull');
    const producer = await connected({}, { 'queue.buffering.max.messages': '10' });
    await producer.ensureTopics([{ topic, partitions: 2 }]);
    const calls = Array.from({ length: 10 }, (_, c) =>
      Array.from({ length: 300 }, (_, i) => outgoing(topic, `k${i % 4}`, String(c * 300 + i))),
    );
    const acks = await Promise.all(calls.map((batch) => produceAll(producer, batch).then(() => 'ok')));
    assert.deepEqual(acks, calls.map(() => 'ok'));
    const consumer = await connected({ groupId: uniqueName('queuefull') });
    consumer.subscribe([topic], owner());
    const received: RawRecord[] = [];
    await fetchUntil(consumer, received, () => received.length >= 3000, '3000 records');
    const values = received.map((r) => Number(text(r.value)));
    assert.equal(new Set(values).size, 3000, 'every record once');
    for (let k = 0; k < 4; k++) {
      const ofKey = received.filter((r) => text(r.key) === `k${k}`).map((r) => Number(text(r.value)));
      assert.deepEqual(ofKey, [...ofKey].sort((a, b) => a - b), `key k${k} in order`);
    }
  });

  it('ensureTopics uses the broker default partition count and leaves existing topics alone', async () => {
    const fresh = uniqueName('default');
    const existing = uniqueName('existing');
    const transport = await connected({ groupId: uniqueName('ensure') });
    await transport.ensureTopics([{ topic: existing, partitions: 2 }]);
    await transport.ensureTopics([{ topic: fresh }, { topic: existing, partitions: 6 }]);
    const listener = owner();
    transport.subscribe([fresh, existing], listener);
    await fetchUntil(transport, [], () => listener.owned.length >= 6, 'the assignment of both topics');
    const count = (topic: string): number => listener.owned.filter((tp) => tp.topic === topic).length;
    assert.equal(count(fresh), 4, 'num.partitions of the local broker');
    assert.equal(count(existing), 2);
  });

  it('subscribing again replaces the topics: a dropped input is revoked, an added one read', async () => {
    const [a, b] = [uniqueName('input-a'), uniqueName('input-b')];
    const transport = await connected({ groupId: uniqueName('resubscribe') });
    await transport.ensureTopics([
      { topic: a, partitions: 1 },
      { topic: b, partitions: 1 },
    ]);
    await produceAll(transport, [outgoing(a, null, 'a1'), outgoing(b, null, 'b1')]);
    const listener = owner();
    const received: RawRecord[] = [];
    transport.subscribe([a], listener);
    await fetchUntil(transport, received, () => received.length >= 1, 'the record of a');
    // Committed, as the runtime does: an eager rebalance hands a's partition out again.
    await transport.commit([{ topic: a, partition: 0, offset: 1 }]);
    transport.subscribe([a, b], listener);
    await fetchUntil(transport, received, () => received.length >= 2, 'the record of b');
    await transport.commit([{ topic: b, partition: 0, offset: 1 }]);
    transport.subscribe([b], listener);
    await fetchUntil(transport, received, () => listener.revoked.some((r) => r.some((tp) => tp.topic === a)), 'a revoked');
    await produceAll(transport, [outgoing(a, null, 'a2'), outgoing(b, null, 'b2')]);
    await fetchUntil(transport, received, () => received.some((r) => text(r.value) === 'b2'), 'b2');
    assert.deepEqual(received.map((r) => text(r.value)), ['a1', 'b1', 'b2']);
    assert.deepEqual(listener.owned, [{ topic: b, partition: 0 }]);
  });

  it('a commit settles while nothing fetches', async () => {
    const topic = uniqueName('commit');
    const transport = await connected({ groupId: uniqueName('commit') });
    await transport.ensureTopics([{ topic, partitions: 1 }]);
    await produceAll(transport, [outgoing(topic, null, 'x')]);
    const listener = owner();
    transport.subscribe([topic], listener);
    const received: RawRecord[] = [];
    await fetchUntil(transport, received, () => received.length === 1, 'the record');
    // No fetch runs from here on: librdkafka's answer must still come through.
    await transport.commit([{ topic, partition: 0, offset: 1 }]);
  });

  it('a record produced while a fetch waits comes at once, not after waitMs', async () => {
    const topic = uniqueName('latency');
    const producer = await connected({ lowLatency: true });
    const consumer = await connected({ groupId: uniqueName('latency'), lowLatency: true });
    await consumer.ensureTopics([{ topic, partitions: 1 }]);
    const listener = owner();
    consumer.subscribe([topic], listener);
    await fetchUntil(consumer, [], () => listener.owned.length === 1, 'the assignment');
    // Librdkafka starts fetching once the committed offset is known; let one empty fetch pass.
    await fetchOnce(consumer, 10, 300);
    let sentAt = 0;
    const started = Date.now();
    const waiting = fetchOnce(consumer, 100, 10_000);
    const timer = setTimeout(() => {
      sentAt = Date.now();
      producer.produce([outgoing(topic, null, 'now')], () => {});
    }, 200);
    const records = await waiting;
    clearTimeout(timer);
    const arrivedAt = Date.now();
    assert.deepEqual(records.map((r) => text(r.value)), ['now']);
    assert.ok(sentAt > 0 && arrivedAt - sentAt < 1000, `took ${arrivedAt - sentAt} ms after produce (fetch started ${sentAt - started} ms before)`);
  });

  it('an idempotent producer (acks=all) acknowledges every call', async () => {
    const topic = uniqueName('idempotent');
    const producer = await connected({ idempotent: true, lowLatency: true });
    await producer.ensureTopics([{ topic, partitions: 2 }]);
    for (let i = 0; i < 20; i++) await produceAll(producer, [outgoing(topic, `k${i}`, `${i}`)]);
    await producer.flush(5000);
  });

  it('a subscribed topic that does not exist is reported on the diagnostics channel, not as a fetch error', async () => {
    const missing = uniqueName('missing');
    const reports: KafkaClientErrorMessage[] = [];
    const listen = (message: unknown): void => {
      reports.push(message as KafkaClientErrorMessage);
    };
    kafkaClientErrorChannel.subscribe(listen);
    try {
      const transport = await connected({ groupId: uniqueName('missing') });
      transport.subscribe([missing], owner());
      // fetchUntil rejects on a fetch error: each fetch here must succeed with [].
      // librdkafka's consumer error names the code, not the topic.
      const unknownTopic = (r: KafkaClientErrorMessage): boolean => /Unknown topic or partition/.test(r.error.message);
      await fetchUntil(transport, [], () => reports.some(unknownTopic), 'the report');
      assert.equal(reports.find(unknownTopic)?.client, 'consumer');
    } finally {
      kafkaClientErrorChannel.unsubscribe(listen);
    }
  });

  it('close ends a fetch that waits, promptly', async () => {
    const topic = uniqueName('closewait');
    const transport = await connected({ groupId: uniqueName('closewait') });
    await transport.ensureTopics([{ topic, partitions: 1 }]);
    const listener = owner();
    transport.subscribe([topic], listener);
    await fetchUntil(transport, [], () => listener.owned.length === 1, 'the assignment');
    const waiting = fetchOnce(transport, 10, 3000);
    const started = Date.now();
    await transport.close();
    assert.deepEqual(await waiting, []);
    await waitFor(() => listener.owned.length === 0, 'onRevoked on close', 5000);
    assert.ok(Date.now() - started < 6000, `close took ${Date.now() - started} ms`);
  });
});
