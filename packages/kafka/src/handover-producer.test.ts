import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ErrorCode, type OutgoingRecord } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { BatchProducer } from './batch-producer.js';
import { RdkafkaCode } from './kafka-errors.js';

// A node-rdkafka producer stand-in: a local queue of `capacity` records, delivered on poll().
class FakeProducer extends EventEmitter {
  readonly queue: Array<{ topic: string; value: string; opaque: unknown }> = [];
  readonly delivered: string[] = [];
  failNext: Error | undefined;

  constructor(readonly capacity: number) {
    super();
  }

  produce(topic: string, _partition: unknown, value: Buffer, _key: unknown, _ts: unknown, opaque: unknown): void {
    if (this.queue.length >= this.capacity) throw Object.assign(new Error('Local: Queue full'), { code: RdkafkaCode.QueueFull });
    this.queue.push({ topic, value: value.toString(), opaque });
  }

  poll(): void {
    for (const m of this.queue.splice(0)) {
      const err = this.failNext;
      this.failNext = undefined;
      if (!err) this.delivered.push(m.value);
      this.emit('delivery-report', err ?? null, { topic: m.topic, partition: 0, offset: 0, size: 1, opaque: m.opaque });
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

function setup(capacity: number): { fake: FakeProducer; producer: BatchProducer } {
  const fake = new FakeProducer(capacity);
  return { fake, producer: new BatchProducer(fake as unknown as Kafka.Producer, 1) };
}

const acked = (producer: BatchProducer, batch: OutgoingRecord[]): Promise<Error | null> =>
  new Promise((resolve) => producer.produce(batch, resolve));

describe('BatchProducer', () => {
  it('a full local queue parks records and later calls until polling frees room: nothing lost, order kept', async () => {
    const { fake, producer } = setup(7);
    const calls = [records(0, 20), records(20, 3), records(23, 15)];
    const results = await Promise.all(calls.map((batch) => acked(producer, batch)));
    assert.deepEqual(results, [null, null, null]);
    assert.deepEqual(fake.delivered, Array.from({ length: 38 }, (_, i) => String(i)));
    assert.ok(await producer.whenIdle(Date.now() + 1000));
    assert.equal(producer.inFlight, 0);
  });

  it('reports a failed delivery once, with CATENAE_DELIVERY, and still the other calls', async () => {
    const { fake, producer } = setup(100);
    fake.failNext = Object.assign(new Error('Local: Message timed out'), { code: -192 });
    let calls = 0;
    const first = new Promise<Error | null>((resolve) =>
      producer.produce(records(0, 5), (err) => {
        calls++;
        resolve(err);
      }),
    );
    const second = acked(producer, records(5, 2));
    const err = await first;
    assert.equal((err as { code?: string }).code, ErrorCode.Delivery);
    assert.match(err!.message, /topic "t" was not delivered: Local: Message timed out/);
    assert.equal(await second, null);
    await producer.whenIdle(Date.now() + 1000);
    assert.equal(calls, 1);
  });

  it('an empty call is acknowledged later, not inside produce', async () => {
    const { producer } = setup(1);
    let returned = false;
    const seen = new Promise<boolean>((resolve) => producer.produce([], () => resolve(returned)));
    returned = true;
    assert.equal(await seen, true);
  });

  it('failPending settles what the producer will never report', async () => {
    const { producer } = setup(2);
    const parked = acked(producer, records(0, 5));
    producer.failPending(new Error('closed'));
    assert.equal((await parked)?.message, 'closed');
    assert.ok(await producer.whenIdle(Date.now()));
  });
});
