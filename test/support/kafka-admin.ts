import Kafka from 'node-rdkafka';
import { KAFKA } from './catenae-process.js';

/** Creates a topic with `partitions` partitions and the topic settings in `config` (`retention.ms`, ...). */
export async function createTopic(topic: string, partitions: number, config: Record<string, string> = {}): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': KAFKA });
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createTopic({ topic, num_partitions: partitions, replication_factor: 1, config }, 30_000, (err) => (err ? reject(err) : resolve())),
    );
  } finally {
    admin.disconnect();
  }
}

/** A consumer used only to read watermarks and whole topics. */
async function openConsumer(isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<Kafka.KafkaConsumer> {
  const consumer = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': KAFKA, 'group.id': `reader_${Math.random().toString(36).slice(2)}`, 'enable.auto.commit': false, 'isolation.level': isolation },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  return consumer;
}

/** Records written to `topic` so far (sum of high watermarks; control records of transactions count too). */
export async function writtenCount(topic: string, partitions: number): Promise<number> {
  const consumer = await openConsumer();
  try {
    let total = 0;
    for (let p = 0; p < partitions; p++) {
      total += await new Promise<number>((resolve, reject) =>
        consumer.queryWatermarkOffsets(topic, p, 5000, (err, offsets) => (err ? reject(err) : resolve(offsets.highOffset - offsets.lowOffset))),
      );
    }
    return total;
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

/** A record as the fault tests check it. */
export interface KeyedValue {
  key: string | null;
  value: string;
  partition: number;
}

/**
 * Reads `topic` from the start (read_committed) until `enough(records)` holds and no record came
 * for `idleMs`, or `timeoutMs` passes.
 */
export async function readTopic(topic: string, enough: (records: KeyedValue[]) => boolean, idleMs = 2000, timeoutMs = 120_000): Promise<KeyedValue[]> {
  const consumer = await openConsumer();
  consumer.subscribe([topic]);
  consumer.setDefaultConsumeTimeout(200);
  const records: KeyedValue[] = [];
  const deadline = Date.now() + timeoutMs;
  let lastRecordAt = Date.now();
  try {
    while (Date.now() < deadline) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(5000, (err, m) => (err ? reject(err) : resolve(m))));
      if (batch.length > 0) lastRecordAt = Date.now();
      for (const m of batch) records.push({ key: m.key == null ? null : m.key.toString(), value: m.value?.toString() ?? '', partition: m.partition });
      if (enough(records) && Date.now() - lastRecordAt >= idleMs) break;
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return records;
}

/**
 * Produces `count` records keyed `k<i mod keys>` with values `<key>:<sequence within the key>`,
 * as fast as possible or, with `perSecond`, at that pace (a live stream); with `eventTimes`, the
 * i-th record's timestamp is `start + i * spacingMs`. Resolves once every record is acknowledged.
 */
export async function produceKeyed(topic: string, count: number, keys: number, perSecond?: number, eventTimes?: { start: number; spacingMs: number }): Promise<void> {
  // Idempotent: the source keeps each key's order even when the broker restarts under it.
  const config = { 'metadata.broker.list': KAFKA, dr_cb: true, 'linger.ms': 5, 'queue.buffering.max.messages': 500_000, 'enable.idempotence': true };
  // Keys land where Java clients (and Catenae links) put them: the partitioner is a topic-level
  // setting, which librdkafka ignores in the global configuration.
  const producer = new Kafka.Producer(config as Kafka.ProducerGlobalConfig, { partitioner: 'murmur2_random' });
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(5);
  let acked = 0;
  const done = new Promise<void>((resolve, reject) =>
    producer.on('delivery-report', (err) => {
      if (err) reject(err);
      else if (++acked === count) resolve();
    }),
  );
  const sequences = new Array<number>(keys).fill(0);
  const startedAt = Date.now();
  for (let i = 0; i < count; i++) {
    if (perSecond !== undefined && i % 100 === 0) {
      const ahead = startedAt + (i / perSecond) * 1000 - Date.now();
      if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
    }
    const k = i % keys;
    const value = Buffer.from(`k${k}:${sequences[k]!++}`);
    const timestamp = eventTimes === undefined ? undefined : eventTimes.start + i * eventTimes.spacingMs;
    for (;;) {
      try {
        producer.produce(topic, null, value, `k${k}`, timestamp);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }
  await done;
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
}

/** Lost and duplicated values, and keys whose first occurrences are out of order. */
export function audit(expected: number, keys: number, records: KeyedValue[]): { lost: number; duplicated: number; keysOutOfOrder: number } {
  const seen = new Set<string>();
  let duplicated = 0;
  const lastFirst = new Map<string, number>();
  let outOfOrder = new Set<string>();
  for (const { value } of records) {
    if (seen.has(value)) {
      duplicated++;
      continue;
    }
    seen.add(value);
    const [key, seqText] = value.split(':') as [string, string];
    const seq = Number(seqText);
    if ((lastFirst.get(key) ?? -1) >= seq) outOfOrder.add(key);
    lastFirst.set(key, seq);
  }
  const perKey = Math.ceil(expected / keys);
  let lost = 0;
  for (let k = 0; k < keys; k++) {
    const count = k < expected % keys || expected % keys === 0 ? perKey : perKey - 1;
    for (let s = 0; s < count; s++) if (!seen.has(`k${k}:${s}`)) lost++;
  }
  outOfOrder = new Set([...outOfOrder]);
  return { lost, duplicated, keysOutOfOrder: outOfOrder.size };
}
