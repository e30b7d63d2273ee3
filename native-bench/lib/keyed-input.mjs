// The input of the table and window benchmarks, and the counts it must end in. Record i is keyed
// `k<i mod keys>`, so every key recurs every `keys` records; keys go to partitions by murmur2, as
// Java clients (Kafka Streams) and Catenae links put them. With `spanMs`, record i carries the
// timestamp `startMs + floor(i × spanMs / count)` (event time spread evenly, in order per
// partition); without it, the time it was sent.
import Kafka from 'node-rdkafka';

const VALUE = Buffer.from('01234567'); // 8 bytes: counting never reads it

/** `{ kind: 'count' | 'windowed', count, keys, startMs?, spanMs?, windowMs? }`: what to produce and count. */
export function inputSpec(kind, count, keys, spanMs = 3_600_000, windowMs = 60_000) {
  if (kind === 'count') return { kind, count, keys };
  // Whole minutes in the past, so every window is aligned and closed by the time it is read.
  const startMs = Math.floor((Date.now() - spanMs - windowMs) / windowMs) * windowMs;
  return { kind, count, keys, startMs, spanMs, windowMs };
}

/** The timestamp of record `i` of a windowed spec. */
function timestampOf(spec, i) {
  return spec.startMs + Math.floor((i * spec.spanMs) / spec.count);
}

/**
 * The final count of every output key: `k<n>` for a count, `k<n>@<window start ms>` (1-minute
 * tumbling windows aligned to the epoch, as Kafka Streams' TimeWindows) for a windowed count.
 */
export function expectedCounts(spec) {
  const counts = new Map();
  for (let i = 0; i < spec.count; i++) {
    const key = spec.kind === 'count' ? `k${i % spec.keys}` : `k${i % spec.keys}@${timestampOf(spec, i) - (timestampOf(spec, i) % spec.windowMs)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Produces the records of `spec` to `topic`; resolves once every one is acknowledged. */
export async function produceInput(brokers, topic, spec) {
  const producer = new Kafka.Producer(
    { 'metadata.broker.list': brokers, dr_cb: true, 'linger.ms': 5, 'queue.buffering.max.messages': 500_000, 'enable.idempotence': true },
    // A topic-level setting: librdkafka ignores the partitioner in the global configuration.
    { partitioner: 'murmur2_random' },
  );
  await new Promise((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(5);
  let acked = 0;
  const done = new Promise((resolve, reject) =>
    producer.on('delivery-report', (err) => {
      if (err) reject(err);
      else if (++acked === spec.count) resolve();
    }),
  );
  for (let i = 0; i < spec.count; i++) {
    const timestamp = spec.spanMs === undefined ? null : timestampOf(spec, i);
    for (;;) {
      try {
        producer.produce(topic, null, VALUE, `k${i % spec.keys}`, timestamp);
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
