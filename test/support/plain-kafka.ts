import Kafka from 'node-rdkafka';
import { KAFKA } from './catenae-process.js';

/** A plain node-rdkafka producer, as an outside application would write to a Catenae topology. */
export async function producePlain(topic: string, messages: { key?: string; value: string | Buffer; headers?: Kafka.MessageHeader[] }[]): Promise<void> {
  // murmur2_random: the partitioner of Java clients, which Catenae uses too.
  const config = { 'metadata.broker.list': KAFKA, dr_cb: true, 'linger.ms': 5, partitioner: 'murmur2_random' };
  const producer = new Kafka.Producer(config as Kafka.ProducerGlobalConfig);
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(10);
  let pending = messages.length;
  const delivered = new Promise<void>((resolve, reject) => {
    if (pending === 0) resolve();
    producer.on('delivery-report', (err) => {
      if (err) reject(err);
      else if (--pending === 0) resolve();
    });
  });
  for (const message of messages) {
    const value = typeof message.value === 'string' ? Buffer.from(message.value) : message.value;
    producer.produce(topic, null, value, message.key ?? null, Date.now(), undefined, message.headers);
  }
  await delivered;
  // No poll while the client is destroyed (node-rdkafka stops its timer only once disconnected).
  producer.setPollInterval(0);
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
}

/** A record as a plain consumer reads it: raw bytes. */
export interface PlainRecord {
  key: string | null;
  value: Buffer;
  partition: number;
  headers: Kafka.MessageHeader[] | undefined;
}

/**
 * Reads `topic` from the beginning with a plain node-rdkafka consumer until `count` records came
 * (or `timeoutMs` passed), as an outside application would read a Catenae topology's output.
 */
export async function consumePlain(topic: string, count: number, timeoutMs = 60_000): Promise<PlainRecord[]> {
  const consumer = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': KAFKA, 'group.id': `plain_${Math.random().toString(36).slice(2)}`, 'enable.auto.commit': false },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  consumer.subscribe([topic]);
  consumer.setDefaultConsumeTimeout(200);
  const records: PlainRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (records.length < count && Date.now() < deadline) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(1000, (err, messages) => (err ? reject(err) : resolve(messages))));
      for (const m of batch) records.push({ key: m.key === undefined || m.key === null ? null : m.key.toString(), value: m.value!, partition: m.partition, headers: m.headers });
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return records;
}
