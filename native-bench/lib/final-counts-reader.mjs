// Reads a count benchmark's output topic from the start (read_committed) until every key shows its
// final count, and tells the harness where those records are. The harness runs it under `nice -n
// 19`, beside the system under test: it reads on idle cycles only, so it steals next to no CPU from
// the run it watches. When the finals became visible is not when this process read them (it may
// lag): the harness polls the topic's last stable offsets and finds the first moment they passed
// every final record (see table-run.mjs).
//
// Settings from the environment: BENCH_BROKERS, BENCH_TOPIC, BENCH_PARTITIONS, BENCH_EXPECT (JSON,
// see expectedCounts). JSON lines on stdout: {"ready":true} once it reads, then {"done":{...}}.
import Kafka from 'node-rdkafka';
import { expectedCounts } from './keyed-input.mjs';
import { tell } from './pipeline-protocol.mjs';

const brokers = process.env.BENCH_BROKERS;
const topic = process.env.BENCH_TOPIC;
const partitions = Number(process.env.BENCH_PARTITIONS);
const expected = expectedCounts(JSON.parse(process.env.BENCH_EXPECT));

const consumer = new Kafka.KafkaConsumer(
  {
    'metadata.broker.list': brokers,
    'group.id': `bench_reader_${Math.random().toString(36).slice(2)}`,
    'enable.auto.commit': false,
    'isolation.level': 'read_committed',
    'fetch.wait.max.ms': 50,
  },
  { 'auto.offset.reset': 'earliest' },
);
await new Promise((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
consumer.setDefaultConsumeTimeout(100);
tell({ ready: true });

// Per partition, the offset after the last record that first showed a key's final count.
const finalEnds = new Array(partitions).fill(0);
let pending = expected.size;
let records = 0;
let above = 0;
let unexpected = 0;
let firstAppendMs = Infinity;
let lastAppendMs = 0;
while (pending > 0) {
  const batch = await new Promise((resolve, reject) => consumer.consume(10_000, (err, m) => (err ? reject(err) : resolve(m))));
  for (const m of batch) {
    records++;
    if (m.timestamp < firstAppendMs) firstAppendMs = m.timestamp;
    if (m.timestamp > lastAppendMs) lastAppendMs = m.timestamp;
    const key = m.key.toString();
    const want = expected.get(key);
    const count = Number(m.value.toString());
    // A final already seen is kept negated: a later copy (a replay) is not a first showing.
    if (want === undefined) unexpected++;
    else if (count > Math.abs(want)) above++;
    if (count !== want) continue;
    expected.set(key, -want);
    pending--;
    if (m.offset + 1 > finalEnds[m.partition]) finalEnds[m.partition] = m.offset + 1;
  }
}
tell({ done: { finalEnds, records, above, unexpected, firstAppendMs, lastAppendMs } });
await new Promise((resolve) => consumer.disconnect(resolve));
