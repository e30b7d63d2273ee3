import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ErrorCode, type OutgoingRecord } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { HandoverProducer } from './handover-producer.js';
import { RdkafkaCode } from './kafka-errors.js';

// A node-rdkafka producer stand-in (`delivery.report.only.error`): a local queue of `capacity`
// records, delivered on poll(), failures reported.
class FakeProducer extends EventEmitter {
  readonly queue: Array<{ topic: string; value: string; opaque: unknown }> = [];
  readonly delivered: string[] = [];
  failNext: Error | undefined;
  throwNext: Error | undefined;

  constructor(readonly capacity: number) {
    super();
  }

  produce(topic: string, _partition: unknown, value: Buffer, _key: unknown, _ts: unknown, opaque: unknown): void {
    if (this.queue.length >= this.capacity) throw Object.assign(new Error('Local: Queue full'), { code: RdkafkaCode.QueueFull });
    const refused = this.throwNext;
    this.throwNext = undefined;
    if (refused) throw refused;
    this.queue.push({ topic, value: value.toString(), opaque });
  }

  poll(): void {
    for (const m of this.queue.splice(0)) {
      const err = this.failNext;
      this.failNext = undefined;
      if (err) this.emit('delivery-report', err, { topic: m.topic, partition: 0, offset: 0, size: 1, opaque: m.opaque });
      else this.delivered.push(m.value);
    }
  }
}

const records = (from: number, n: number): OutgoingRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    topic: 't',
    partition: undefined,
    key: null,
    value: Buffer.from(String(from + i)),
    headers: undefined,
    timestamp: undefined,
  }));

function setup(capacity: number): { fake: FakeProducer; producer: HandoverProducer } {
  const fake = new FakeProducer(capacity);
  return { fake, producer: new HandoverProducer(fake as unknown as Kafka.Producer, 1) };
}

const acked = (producer: HandoverProducer, batch: OutgoingRecord[]): Promise<Error | null> =>
  new Promise((resolve) => producer.produce(batch, resolve));

describe('HandoverProducer', () => {
  it('acknowledges a call once librdkafka holds its records, before they are delivered', async () => {
    const { fake, producer } = setup(100);
    assert.equal(await acked(producer, records(0, 3)), null);
    assert.deepEqual(fake.delivered, [], 'acknowledged before any delivery');
    assert.equal(fake.queue.length, 3);
    assert.equal(producer.inFlight, 0);
  });

  it('a full local queue parks records and later calls until polling frees room: nothing lost, order kept', async () => {
    const { fake, producer } = setup(7);
    const calls = [records(0, 20), records(20, 3), records(23, 15)];
    const results = await Promise.all(calls.map((batch) => acked(producer, batch)));
    assert.deepEqual(results, [null, null, null]);
    fake.poll();
    assert.deepEqual(fake.delivered, Array.from({ length: 38 }, (_, i) => String(i)));
    assert.ok(await producer.whenIdle(Date.now() + 1000));
  });

  it('keeps the first failed delivery for the commit to name, once', () => {
    const { fake, producer } = setup(100);
    fake.failNext = Object.assign(new Error('Local: Message timed out'), { code: -192 });
    producer.produce(records(0, 5), () => undefined);
    fake.poll();
    const failure = producer.takeFailure();
    assert.equal((failure as { code?: string } | undefined)?.code, ErrorCode.Delivery);
    assert.match(failure!.message, /topic "t" was not delivered: Local: Message timed out/);
    assert.equal(producer.takeFailure(), undefined);
  });

  it('a record librdkafka refuses at once fails its call; the calls after it go on', async () => {
    const { fake, producer } = setup(100);
    fake.throwNext = Object.assign(new Error('Broker: Message size too large'), { code: 10 });
    const refused = await acked(producer, records(0, 1));
    assert.equal((refused as { code?: string } | null)?.code, ErrorCode.Delivery);
    assert.equal(await acked(producer, records(1, 1)), null);
  });

  it('an empty call is acknowledged later, not inside produce', async () => {
    const { producer } = setup(1);
    let returned = false;
    const seen = new Promise<boolean>((resolve) => producer.produce([], () => resolve(returned)));
    returned = true;
    assert.equal(await seen, true);
  });

  it('failPending fails the parked calls', async () => {
    const { producer } = setup(2);
    const parked = acked(producer, records(0, 5));
    producer.failPending(new Error('closed'));
    assert.equal((await parked)?.message, 'closed');
    assert.ok(await producer.whenIdle(Date.now()));
  });
});
