// The 3-stage pipeline written by hand on KafkaJS (throughput runs only).
// Usage: node kafkajs.mjs source|map|sink, settings from BENCH_* (see lib/pipeline-protocol.mjs).
// The source sends batches of 1000 with four requests in flight; the map stage uses eachBatch:
// one send of the whole fetched batch, awaited, then its offsets resolved and committed (KafkaJS
// commits after each batch by default): the counterpart of the node-rdkafka stage's flush.
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { PLAIN_BYTES, pipelineSettings, tell, untilGo } from '../lib/pipeline-protocol.mjs';

const role = process.argv[2];
const settings = pipelineSettings();
if (settings.mode !== 'throughput') throw new Error('the KafkaJS pipeline runs the throughput benchmark only');
const kafka = new Kafka({ clientId: `bench-kafkajs-${role}`, brokers: settings.brokers.split(','), logLevel: logLevel.ERROR });
const SEND_BATCH = 1000;
const IN_FLIGHT = 4;
process.on('SIGTERM', () => process.exit(0));

function newProducer() {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
}

async function newConsumer() {
  const consumer = kafka.consumer({ groupId: settings.group });
  consumer.on(consumer.events.GROUP_JOIN, () => tell({ ready: true }));
  await consumer.connect();
  await consumer.subscribe({ topic: settings.input, fromBeginning: true });
  return consumer;
}

async function source() {
  const producer = newProducer();
  await producer.connect();
  tell({ ready: true });
  await untilGo();
  const messages = Array.from({ length: SEND_BATCH }, () => ({ value: PLAIN_BYTES }));
  let next = 0;
  const lane = async () => {
    while (next < settings.count) {
      const n = Math.min(SEND_BATCH, settings.count - next);
      next += n;
      await producer.send({ topic: settings.output, messages: n === SEND_BATCH ? messages : messages.slice(0, n) });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  tell({ sent: true });
  setInterval(() => {}, 1 << 30);
}

async function map() {
  const producer = newProducer();
  await producer.connect();
  const consumer = await newConsumer();
  await consumer.run({
    eachBatch: async ({ batch, heartbeat }) => {
      await producer.send({ topic: settings.output, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) });
      await heartbeat();
    },
  });
}

async function sink() {
  const consumer = await newConsumer();
  let received = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
      if (received >= settings.expected && received - batch.messages.length < settings.expected) tell({ done: true, received });
    },
  });
}

await { source, map, sink }[role]();
