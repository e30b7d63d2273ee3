import Kafka from 'node-rdkafka';

/** Produces string values with a plain node-rdkafka producer using these connection settings. */
export async function produceSecure(bootstrap: string, config: Record<string, string>, topic: string, values: string[]): Promise<void> {
  const producer = new Kafka.Producer({ 'bootstrap.servers': bootstrap, dr_cb: true, ...config } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 20_000 }, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(10);
  let pending = values.length;
  const delivered = new Promise<void>((resolve, reject) =>
    producer.on('delivery-report', (err) => {
      if (err) reject(err);
      else if (--pending === 0) resolve();
    }),
  );
  for (const value of values) producer.produce(topic, null, Buffer.from(value), null);
  await delivered;
  producer.setPollInterval(0); // no poll while the client is destroyed
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
}

/** Reads `count` string values of `topic` from the start with these connection settings. */
export async function consumeSecure(bootstrap: string, config: Record<string, string>, topic: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  const consumer = new Kafka.KafkaConsumer(
    { 'bootstrap.servers': bootstrap, 'group.id': `secure_${Math.random().toString(36).slice(2)}`, 'enable.auto.commit': false, ...config },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 20_000 }, (err) => (err ? reject(err) : resolve())));
  consumer.subscribe([topic]);
  consumer.setDefaultConsumeTimeout(200);
  const values: string[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (values.length < count && Date.now() < deadline) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(1000, (err, messages) => (err ? reject(err) : resolve(messages))));
      for (const message of batch) values.push(message.value?.toString('utf8') ?? '');
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return values;
}
