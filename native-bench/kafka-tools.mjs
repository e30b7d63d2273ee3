// Plain node-rdkafka helpers shared by the Kafka benchmarks: topic creation, a fast backlog
// producer, and reading back the broker's append timestamps of a topic.
import Kafka from 'node-rdkafka';

/**
 * Creates a topic and resolves once the broker's metadata shows every partition with a leader: a
 * consumer that subscribes earlier may see the topic as unknown and not look again for minutes.
 */
export async function createTopic(brokers, topic, partitions, config = {}) {
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': brokers });
  await new Promise((resolve, reject) =>
    admin.createTopic({ topic, num_partitions: partitions, replication_factor: 1, config }, 30_000, (err) => (err ? reject(err) : resolve())),
  );
  admin.disconnect();
  const producer = new Kafka.Producer({ 'metadata.broker.list': brokers });
  await new Promise((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  try {
    for (const deadline = Date.now() + 30_000; ; ) {
      const metadata = await new Promise((resolve) => producer.getMetadata({ topic, timeout: 5000 }, (err, m) => resolve(err ? undefined : m)));
      const found = metadata?.topics.find((t) => t.name === topic);
      if (found?.partitions.length === partitions && found.partitions.every((p) => p.leader >= 0)) return;
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no leaders after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await new Promise((resolve) => producer.disconnect(resolve));
  }
}

/** Produces `count` values of `size` bytes, keyless, as fast as librdkafka takes them. */
export async function produceBacklog(brokers, topic, count, size) {
  const producer = new Kafka.Producer({ 'metadata.broker.list': brokers, dr_cb: true, 'linger.ms': 5, 'queue.buffering.max.messages': 500_000 });
  await new Promise((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(5);
  const value = Buffer.alloc(size, 'x');
  let acked = 0;
  const done = new Promise((resolve, reject) =>
    producer.on('delivery-report', (err) => {
      if (err) reject(err);
      else if (++acked === count) resolve();
    }),
  );
  for (let i = 0; i < count; i++) {
    for (;;) {
      try {
        producer.produce(topic, null, value, null);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }
  await done;
  producer.setPollInterval(0); // no poll while the client is destroyed
  await new Promise((resolve) => producer.disconnect(resolve));
}

/**
 * Reads `count` records of `topic` and returns the span of their broker append timestamps in ms
 * (the topic is created with LogAppendTime): the time the stage writing it took to write them.
 */
export async function appendSpanMs(brokers, topic, count) {
  const consumer = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': brokers, 'group.id': `span_${Math.random().toString(36).slice(2)}`, 'enable.auto.commit': false },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  consumer.subscribe([topic]);
  consumer.setDefaultConsumeTimeout(200);
  let seen = 0;
  let first = Infinity;
  let last = 0;
  const deadline = Date.now() + 120_000;
  while (seen < count && Date.now() < deadline) {
    const messages = await new Promise((resolve, reject) => consumer.consume(10_000, (err, m) => (err ? reject(err) : resolve(m))));
    for (const m of messages) {
      seen++;
      if (m.timestamp < first) first = m.timestamp;
      if (m.timestamp > last) last = m.timestamp;
    }
  }
  await new Promise((resolve) => consumer.disconnect(resolve));
  if (seen < count) throw new Error(`only ${seen} of ${count} records reached ${topic}`);
  return last - first;
}

/** Deletes topics (a benchmark's own, once measured), ignoring ones already gone. */
export async function deleteTopics(brokers, topics) {
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': brokers });
  await Promise.all(topics.map((topic) => new Promise((resolve) => admin.deleteTopic(topic, 30_000, () => resolve()))));
  admin.disconnect();
}

/**
 * A partition's high watermark, asked again while the broker answers with a transient error (a
 * leader still being elected on a loaded machine says "Not leader for partition" for a moment).
 */
async function highWatermark(consumer, topic, partition) {
  for (const deadline = Date.now() + 30_000; ; ) {
    try {
      return await new Promise((resolve, reject) => consumer.queryWatermarkOffsets(topic, partition, 5000, (err, w) => (err ? reject(err) : resolve(w.highOffset))));
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The sum of a topic's high watermarks (records written so far, on a fresh topic). */
export async function countRecords(brokers, topic, partitions) {
  const consumer = new Kafka.KafkaConsumer({ 'metadata.broker.list': brokers, 'group.id': `count_${Math.random().toString(36).slice(2)}` }, {});
  await new Promise((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  try {
    const highs = await Promise.all(Array.from({ length: partitions }, (_, partition) => highWatermark(consumer, topic, partition)));
    return highs.reduce((a, b) => a + b, 0);
  } finally {
    await new Promise((resolve) => consumer.disconnect(resolve));
  }
}

/** The sum of a consumer group's committed offsets on a topic's partitions (none committed: 0). */
export async function committedRecords(brokers, group, topic, partitions) {
  // A consumer of the group that never subscribes does not join it: it only reads its offsets.
  const consumer = new Kafka.KafkaConsumer({ 'metadata.broker.list': brokers, 'group.id': group, 'enable.auto.commit': false }, {});
  await new Promise((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  try {
    const toppars = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const committed = await new Promise((resolve, reject) => consumer.committed(toppars, 10_000, (err, offsets) => (err ? reject(err) : resolve(offsets))));
    return committed.reduce((sum, { offset }) => sum + Math.max(0, offset ?? 0), 0);
  } finally {
    await new Promise((resolve) => consumer.disconnect(resolve));
  }
}
