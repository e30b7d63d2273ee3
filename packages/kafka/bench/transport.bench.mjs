// Throughput of the Kafka transport alone against the local broker, next to a forwarding stage
// written by hand on node-rdkafka (consume(10000), produce each, flush, commit: no delivery
// reports). 100-byte values, 4 partitions; each figure is from the first record to the last ack.
// Usage: node packages/kafka/bench/transport.bench.mjs [records=400000] [runs=3]
// Needs a broker at KAFKA_BOOTSTRAP (default 127.0.0.1:9092) and `tsc -b packages/kafka`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Kafka = require('node-rdkafka');
const { createKafkaTransport } = await import(new URL('../dist/index.js', import.meta.url).href);

const N = Number(process.argv[2] ?? 400_000);
const RUNS = Number(process.argv[3] ?? 3);
const BROKERS = process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092';
const factory = createKafkaTransport({ brokers: BROKERS });
const value = Buffer.alloc(100, 120);
const suffix = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const produced = (t, records) => new Promise((resolve, reject) => t.produce(records, (e) => (e ? reject(e) : resolve())));
const fetched = (t, max, waitMs) => new Promise((resolve, reject) => t.fetch(max, waitMs, (e, r) => (e ? reject(e) : resolve(r))));
const rate = (t0) => Math.round(N / ((performance.now() - t0) / 1000));
const listener = { onAssigned() {}, onRevoked() {} };

async function produceBacklog(topic) {
  const t = factory.create({ clientId: 'bench-produce' });
  await t.connect();
  await t.ensureTopics([{ topic, partitions: 4 }]);
  const t0 = performance.now();
  const acks = [];
  for (let i = 0; i < N; i += 1000) {
    const records = [];
    for (let j = i; j < Math.min(N, i + 1000); j++) records.push({ topic, partition: undefined, key: null, value, headers: undefined, timestamp: undefined });
    acks.push(produced(t, records));
  }
  await Promise.all(acks);
  const r = rate(t0);
  await t.close();
  return r;
}

async function fetchAll(topic) {
  const t = factory.create({ clientId: 'bench-fetch', groupId: `bench-fetch-${suffix()}` });
  await t.connect();
  t.subscribe([topic], listener);
  let got = 0;
  let t0 = 0;
  while (got < N) {
    const records = await fetched(t, 10_000, 100);
    if (records.length > 0 && t0 === 0) t0 = performance.now();
    got += records.length;
  }
  const r = rate(t0);
  await t.close();
  return r;
}

// As the runtime does: fetch, produce the batch, commit its offsets once acknowledged, fetch on.
async function forward(input) {
  const output = `bench-out-${suffix()}`;
  const t = factory.create({ clientId: 'bench-forward', groupId: `bench-forward-${suffix()}` });
  await t.connect();
  await t.ensureTopics([{ topic: output, partitions: 4 }]);
  t.subscribe([input], listener);
  const next = new Map();
  let got = 0;
  let t0 = 0;
  while (got < N) {
    const records = await fetched(t, 10_000, 100);
    if (records.length === 0) continue;
    if (t0 === 0) t0 = performance.now();
    const out = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      out[i] = { topic: output, partition: undefined, key: r.key, value: r.value, headers: r.headers, timestamp: undefined };
      next.set(r.partition, r.offset + 1);
    }
    const offsets = [...next].map(([partition, offset]) => ({ topic: input, partition, offset }));
    got += records.length;
    t.produce(out, (err) => {
      if (err) throw err;
      t.commit(offsets).catch((e) => console.error(`commit: ${e.message}`));
    });
  }
  await t.flush(30_000);
  const r = rate(t0);
  await t.close();
  return r;
}

async function handForward(input) {
  const output = `bench-hand-out-${suffix()}`;
  const consumer = new Kafka.KafkaConsumer(
    { 'bootstrap.servers': BROKERS, 'group.id': `bench-hand-${suffix()}`, 'enable.auto.commit': false },
    { 'auto.offset.reset': 'earliest' },
  );
  const producer = new Kafka.Producer({ 'bootstrap.servers': BROKERS, 'linger.ms': 5 });
  await new Promise((resolve, reject) => consumer.connect({}, (e) => (e ? reject(e) : resolve())));
  await new Promise((resolve, reject) => producer.connect({}, (e) => (e ? reject(e) : resolve())));
  consumer.subscribe([input]);
  consumer.setDefaultConsumeTimeout(100);
  let got = 0;
  let t0 = 0;
  while (got < N) {
    const messages = await new Promise((resolve, reject) => consumer.consume(10_000, (e, m) => (e ? reject(e) : resolve(m))));
    if (messages.length === 0) continue;
    if (t0 === 0) t0 = performance.now();
    for (const m of messages) producer.produce(output, null, m.value, m.key);
    await new Promise((resolve) => producer.flush(30_000, resolve));
    consumer.commit();
    got += messages.length;
  }
  const r = rate(t0);
  await new Promise((resolve) => consumer.disconnect(resolve));
  await new Promise((resolve) => producer.disconnect(resolve));
  return r;
}

const results = { produce: [], fetch: [], forward: [], hand: [] };
for (let run = 0; run < RUNS; run++) {
  const input = `bench-in-${suffix()}`;
  results.produce.push(await produceBacklog(input));
  results.fetch.push(await fetchAll(input));
  results.forward.push(await forward(input));
  results.hand.push(await handForward(input));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${N} x 100 B, 4 partitions, median of ${RUNS} (msg/s):`);
for (const [name, xs] of Object.entries(results)) console.log(`  ${name.padEnd(8)} ${median(xs)}  (${xs.join(', ')})`);
