// The 3-stage pipeline written by hand on node-rdkafka, as well as that library allows.
// Usage: node raw.mjs source|map|sink, settings from BENCH_* (see lib/pipeline-protocol.mjs).
// - Consuming: non-flowing consume(n) batches. node-rdkafka's consume(n) waits up to its timeout
//   for *each* message, so a batch is read in steps: what is queued (timeout 0); if nothing, one
//   message with a timeout; then the rest that is queued. (Flowing mode sleeps 500 ms when idle.)
// - The map stage: consume a batch, produce each record, flush (wait for the acknowledgements),
//   commit, repeat: safe (at least once) and the way such a stage is usually written.
// - Latency runs: linger.ms=0 on the producers; Nagle off everywhere.
// - The map stage's records per consume call, linger.ms and producer queue come from
//   BENCH_RAW_BATCH, BENCH_RAW_LINGER_MS, BENCH_RAW_QUEUE (0: librdkafka's default); see
//   hand-stages.mjs for the named variants. Latency runs keep linger.ms=0.
import Kafka from 'node-rdkafka';
import { LatencyRecorder, PLAIN_BYTES, nowNs, pace, pipelineSettings, stampedValue, tell, untilGo } from '../lib/pipeline-protocol.mjs';

const role = process.argv[2];
const settings = pipelineSettings();
const isLatency = settings.mode === 'latency';
const common = { 'metadata.broker.list': settings.brokers, 'socket.nagle.disable': true };
const QUEUE_FULL = Kafka.CODES.ERRORS.ERR__QUEUE_FULL;
process.on('SIGTERM', () => process.exit(0));

function connect(client) {
  return new Promise((resolve, reject) => client.connect({}, (err) => (err ? reject(err) : resolve())));
}

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const mapBatch = env('BENCH_RAW_BATCH', 10_000);

function newProducer(lingerMs = 5, queue = 500_000, failureReports = false) {
  const config = { ...common, 'linger.ms': isLatency ? 0 : lingerMs, dr_cb: failureReports };
  if (queue > 0) config['queue.buffering.max.messages'] = queue;
  // A stage that must learn of lost records: librdkafka reports failed deliveries only.
  if (failureReports) config['delivery.report.only.error'] = true;
  const producer = new Kafka.Producer(config);
  if (failureReports) producer.on('delivery-report', (err) => err && process.stderr.write(`delivery failed: ${err.message}\n`));
  return producer;
}

function newConsumer(autoCommit) {
  const consumer = new Kafka.KafkaConsumer(
    { ...common, 'group.id': settings.group, 'enable.auto.commit': autoCommit, rebalance_cb: true },
    { 'auto.offset.reset': 'earliest' },
  );
  let isReady = false;
  consumer.on('rebalance', (err) => {
    if (err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS && !isReady) {
      isReady = true;
      tell({ ready: true });
    }
  });
  return consumer;
}

// Errors librdkafka recovers from (a topic whose metadata is not there yet) read as no records.
function consume(consumer, max, timeoutMs) {
  consumer.setDefaultConsumeTimeout(timeoutMs);
  return new Promise((resolve) =>
    consumer.consume(max, (err, messages) => {
      if (!err) return resolve(messages);
      process.stderr.write(`consume: ${err.message}\n`);
      setTimeout(resolve, 10, []);
    }),
  );
}

// What is queued at once; else waits up to waitMs for one record, then takes what else is there.
async function fetchBatch(consumer, max, waitMs) {
  const queued = await consume(consumer, max, 0);
  if (queued.length > 0) return queued;
  const first = await consume(consumer, 1, waitMs);
  if (first.length === 0) return first;
  return first.concat(await consume(consumer, max - 1, 0));
}

// False when librdkafka's queue is full: the caller waits and tries again. Even without delivery
// reports librdkafka frees the queue's room only when polled.
function produce(producer, topic, value) {
  try {
    producer.produce(topic, null, value, null);
    return true;
  } catch (err) {
    if (err.code !== QUEUE_FULL) throw err;
    producer.poll();
    return false;
  }
}

// Stays up until SIGTERM: the harness reads this process's CPU time before ending it.
function idle() {
  setInterval(() => {}, 1 << 30);
}

async function source() {
  const producer = newProducer();
  await connect(producer);
  tell({ ready: true });
  await untilGo();
  if (isLatency) {
    await pace(settings, (tag) => {
      if (!produce(producer, settings.output, Buffer.from(stampedValue(tag), 'latin1'))) throw new Error('queue full at a fixed rate');
    });
  } else {
    for (let i = 0; i < settings.count; i++) {
      while (!produce(producer, settings.output, PLAIN_BYTES)) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  await new Promise((resolve, reject) => producer.flush(60_000, (err) => (err ? reject(err) : resolve())));
  tell({ sent: true });
  idle();
}

async function map() {
  const producer = newProducer(env('BENCH_RAW_LINGER_MS', 5), env('BENCH_RAW_QUEUE', 500_000), env('BENCH_RAW_FAILURE_REPORTS', 0) === 1);
  const consumer = newConsumer(false);
  await Promise.all([connect(producer), connect(consumer)]);
  consumer.subscribe([settings.input]);
  for (;;) {
    const messages = await fetchBatch(consumer, mapBatch, 100);
    if (messages.length === 0) continue;
    for (const m of messages) {
      while (!produce(producer, settings.output, m.value)) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await new Promise((resolve, reject) => producer.flush(30_000, (err) => (err ? reject(err) : resolve())));
    consumer.commit();
  }
}

async function sink() {
  const consumer = newConsumer(true);
  await connect(consumer);
  consumer.subscribe([settings.input]);
  const latencies = new LatencyRecorder(settings);
  let received = 0;
  while (received < settings.expected) {
    const messages = await fetchBatch(consumer, 10_000, 100);
    if (messages.length === 0) continue;
    if (isLatency) {
      const now = nowNs();
      for (const m of messages) latencies.record(m.value, now);
    }
    received += messages.length;
  }
  tell({ done: true, received, latency: isLatency ? latencies.summary() : undefined });
  idle();
}

await { source, map, sink }[role]();
