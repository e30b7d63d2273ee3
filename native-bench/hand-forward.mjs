// The reference: a forwarding middle stage written by hand on node-rdkafka, as well as that
// library allows: batch consume, produce each, flush, commit, repeat.
// Usage: node hand-forward.mjs <brokers> <input> <output> <group> <count>
import Kafka from 'node-rdkafka';

const [brokers, input, output, group, countText] = process.argv.slice(2);
const count = Number(countText);
const consumer = new Kafka.KafkaConsumer(
  { 'metadata.broker.list': brokers, 'group.id': group, 'enable.auto.commit': false, 'fetch.wait.max.ms': 10 },
  { 'auto.offset.reset': 'earliest' },
);
const producer = new Kafka.Producer({ 'metadata.broker.list': brokers, 'linger.ms': 5, dr_cb: false, 'queue.buffering.max.messages': 500_000 });
await Promise.all([
  new Promise((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve()))),
  new Promise((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve()))),
]);
consumer.subscribe([input]);
consumer.setDefaultConsumeTimeout(100);
let forwarded = 0;
while (forwarded < count) {
  const messages = await new Promise((resolve, reject) => consumer.consume(10_000, (err, m) => (err ? reject(err) : resolve(m))));
  if (messages.length === 0) continue;
  for (const m of messages) producer.produce(output, null, m.value, m.key);
  await new Promise((resolve, reject) => producer.flush(30_000, (err) => (err ? reject(err) : resolve())));
  consumer.commit();
  forwarded += messages.length;
}
await new Promise((resolve) => consumer.disconnect(resolve));
await new Promise((resolve) => producer.disconnect(resolve));
