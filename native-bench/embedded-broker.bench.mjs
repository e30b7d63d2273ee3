// Pushes records through source -> middle link -> sink on the embedded transport directly:
// produce -> fetch(1000) -> produce -> fetch, and prints records/s end to end.
// Run after `npx tsc -p packages/core`: node native-bench/embedded-broker.bench.mjs [records]
import { EmbeddedBroker } from '../packages/core/dist/broker/embedded-broker.js';
import { EmbeddedTransportFactory } from '../packages/core/dist/broker/embedded-transport.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = 1_000;
const VALUE_BYTES = 100;
const noListener = { onAssigned() {}, onRevoked() {} };

const factory = new EmbeddedTransportFactory(new EmbeddedBroker());
const source = factory.create({ clientId: 'bench-source' });
const middle = factory.create({ clientId: 'bench-middle', groupId: 'bench-middle' });
const sink = factory.create({ clientId: 'bench-sink', groupId: 'bench-sink' });
await source.ensureTopics([{ topic: 'bench-in' }, { topic: 'bench-out' }]);
middle.subscribe(['bench-in'], noListener);
sink.subscribe(['bench-out'], noListener);
await new Promise((resolve) => middle.fetch(1, 10, resolve));

// A pool of distinct keys and values: the broker stores references, never copies.
const keys = Array.from({ length: 1_000 }, (_, i) => Buffer.from(`key-${i}`));
const values = Array.from({ length: 1_000 }, (_, i) => Buffer.alloc(VALUE_BYTES, i & 0xff));

const started = process.hrtime.bigint();
let finish;
const finished = new Promise((resolve) => (finish = resolve));

let sent = 0;
function produceNext() {
  if (sent >= TOTAL) return;
  const batch = [];
  const end = Math.min(TOTAL, sent + BATCH);
  for (let i = sent; i < end; i++) {
    batch.push({ topic: 'bench-in', partition: undefined, key: keys[i % 1_000], value: values[i % 1_000], headers: undefined, timestamp: undefined });
  }
  sent = end;
  source.produce(batch, onSourceAcked);
}
function onSourceAcked(err) {
  if (err) throw err;
  produceNext();
}

let running = true;
function onMiddleFetched(err, records) {
  if (err) throw err;
  if (records.length > 0) {
    const out = new Array(records.length);
    const last = new Map();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      out[i] = { topic: 'bench-out', partition: undefined, key: r.key, value: r.value, headers: r.headers, timestamp: undefined };
      last.set(r.partition, r.offset + 1);
    }
    middle.produce(out, onMiddleAcked);
    middle.commit([...last].map(([partition, offset]) => ({ topic: 'bench-in', partition, offset })));
  }
  if (running) middle.fetch(BATCH, 100, onMiddleFetched);
}
function onMiddleAcked(err) {
  if (err) throw err;
}

let received = 0;
function onSinkFetched(err, records) {
  if (err) throw err;
  received += records.length;
  if (received >= TOTAL) finish();
  else sink.fetch(BATCH, 100, onSinkFetched);
}

middle.fetch(BATCH, 100, onMiddleFetched);
sink.fetch(BATCH, 100, onSinkFetched);
for (let i = 0; i < 8; i++) produceNext(); // a few batches in flight, as a producer keeps them
await finished;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`embedded transport: ${Math.round(TOTAL / seconds)} records/s (${TOTAL} records of ${VALUE_BYTES} bytes, keyed, source -> link -> sink in ${seconds.toFixed(2)} s)`);
running = false;
await Promise.all([source.close(), middle.close(), sink.close()]);
