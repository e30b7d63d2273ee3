import Kafka from 'node-rdkafka';
import { KAFKA } from './catenae-process.js';

/** Where and how {@link createTopic} creates a topic. */
export interface TopicOptions {
  /** Topic settings (`retention.ms`, ...); absent: the broker's defaults. */
  config?: Record<string, string>;
  /** The bootstrap servers (default `KAFKA_BOOTSTRAP`). */
  bootstrap?: string;
}

/** Creates a topic with `partitions` partitions, replicated as the broker's `default.replication.factor` says. */
export async function createTopic(topic: string, partitions: number, options: TopicOptions = {}): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': options.bootstrap ?? KAFKA });
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createTopic({ topic, num_partitions: partitions, replication_factor: -1, config: options.config ?? {} }, 30_000, (err) => (err ? reject(err) : resolve())),
    );
  } finally {
    admin.disconnect();
  }
}

/** A consumer used only to read watermarks and whole topics. */
async function openConsumer(bootstrap: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<Kafka.KafkaConsumer> {
  const consumer = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': bootstrap, 'group.id': `reader_${Math.random().toString(36).slice(2)}`, 'enable.auto.commit': false, 'isolation.level': isolation },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  return consumer;
}

/** Records written to `topic` so far (sum of high watermarks; control records of transactions count too). */
export async function writtenCount(topic: string, partitions: number, bootstrap = KAFKA): Promise<number> {
  const consumer = await openConsumer(bootstrap);
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

/** How long {@link readTopic} reads, and from where. */
export interface ReadOptions {
  /** Once `enough` holds, reading ends after this long without a record (default 2000 ms). */
  idleMs?: number;
  /** Reading ends after this long whatever came (default 120000 ms). */
  timeoutMs?: number;
  /** The bootstrap servers (default `KAFKA_BOOTSTRAP`). */
  bootstrap?: string;
}

/**
 * Reads `topic` from the start (read_committed) until `enough(records)` holds and no record came
 * for `idleMs`, or `timeoutMs` passes.
 */
export async function readTopic(topic: string, enough: (records: KeyedValue[]) => boolean, options: ReadOptions = {}): Promise<KeyedValue[]> {
  const { idleMs = 2000, timeoutMs = 120_000 } = options;
  const consumer = await openConsumer(options.bootstrap ?? KAFKA);
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

/** The pace, timestamps and broker of {@link produceKeyed}. */
export interface ProduceOptions {
  /**
   * Records per second (a live stream); a function gives the pace before each burst (`i` records
   * produced so far; undefined: as fast as possible). Absent: as fast as possible.
   */
  perSecond?: number | ((i: number) => number | undefined);
  /**
   * A paced stream goes in bursts of this many records (default 100). Larger bursts cost far less
   * CPU: librdkafka wakes its broker threads per burst (40k records at 4000/s took 8.9 s of CPU in
   * bursts of 100, against 0.9 s unpaced).
   */
  burst?: number;
  /** The i-th record's timestamp is `start + i * spacingMs`; absent: the time it is produced. */
  eventTimes?: { start: number; spacingMs: number };
  /** The bootstrap servers (default `KAFKA_BOOTSTRAP`). */
  bootstrap?: string;
}

/**
 * Produces `count` records keyed `k<i mod keys>` with values `<key>:<sequence within the key>`,
 * paced and stamped as `options` say. Resolves once every record is acknowledged.
 */
export async function produceKeyed(topic: string, count: number, keys: number, options: ProduceOptions = {}): Promise<void> {
  const { perSecond, eventTimes, burst = 100 } = options;
  // Idempotent: the source keeps each key's order even when the broker restarts under it.
  const config = { 'metadata.broker.list': options.bootstrap ?? KAFKA, dr_cb: true, 'linger.ms': 5, 'queue.buffering.max.messages': 500_000, 'enable.idempotence': true };
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
  // A failed delivery is reported once everything was handed over (an unhandled rejection would end the process).
  done.catch(() => undefined);
  try {
    await produceAll(producer, topic, count, keys, done, { perSecond, eventTimes, burst });
  } finally {
    // node-rdkafka clears its poll timer only once disconnected; a poll while the client is being
    // destroyed on libuv's pool can crash the process.
    producer.setPollInterval(0);
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}

// Hands `count` records to the producer at the pace asked, then waits for `done` (every one acknowledged).
async function produceAll(producer: Kafka.Producer, topic: string, count: number, keys: number, done: Promise<void>, options: ProduceOptions & { burst: number }): Promise<void> {
  const { perSecond, eventTimes, burst } = options;
  const sequences = new Array<number>(keys).fill(0);
  let dueAt = Date.now();
  for (let i = 0; i < count; i++) {
    if (i % burst === 0) {
      const pace = typeof perSecond === 'function' ? perSecond(i) : perSecond;
      if (pace === undefined) dueAt = Date.now();
      else {
        const ahead = dueAt - Date.now();
        if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
        dueAt += (burst / pace) * 1000;
      }
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
