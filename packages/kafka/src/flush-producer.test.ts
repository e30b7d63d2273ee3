import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ErrorCode, type OutgoingRecord } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { FlushProducer } from './flush-producer.js';
import { RdkafkaCode } from './kafka-errors.js';

// A node-rdkafka producer stand-in with success reports off: a local queue of `capacity`
// records; each flush() delivers `perFlush` of them and times out while any are left. A failed
// record's report comes in the same turn as the end of the flush, after it (as node-rdkafka's
// dispatcher does).
class FakeProducer extends EventEmitter {
  readonly queue: string[] = [];
  readonly delivered: string[] = [];
  readonly flushes: number[] = [];
  failing = new Set<string>();

  constructor(
    readonly capacity: number,
    readonly perFlush = Infinity,
  ) {
    super();
  }

  produce(_topic: string, _partition: unknown, value: Buffer, _key: unknown, _ts: unknown, opaque: unknown): void {
    assert.equal(opaque, undefined, 'no opaque: nothing is matched per record');
    if (this.queue.length >= this.capacity) throw Object.assign(new Error('Local: Queue full'), { code: RdkafkaCode.QueueFull });
    this.queue.push(value.toString());
  }

  flush(_timeoutMs: number, cb: (err: Error | null) => void): void {
    setImmediate(() => {
      const sent = this.queue.splice(0, this.perFlush);
      this.flushes.push(sent.length);
      cb(this.queue.length > 0 ? new Error('Local: Timed out') : null);
      for (const value of sent) {
        if (this.failing.has(value)) this.emit('delivery-report', new Error('Broker: Message size too large'), { topic: 't' });
        else this.delivered.push(value);
      }
    });
  }
}

const records = (from: number, n: number): OutgoingRecord[] =>
  Array.from({ length: n }, (_, i) => ({ topic: 't', partition: undefined, key: null, value: Buffer.from(String(from + i)), headers: undefined, timestamp: undefined }));

const acked = (producer: FlushProducer, batch: OutgoingRecord[]): Promise<Error | null> => new Promise((resolve) => producer.produce(batch, resolve));

function setup(capacity = 1000, perFlush = Infinity): { fake: FakeProducer; producer: FlushProducer } {
  const fake = new FakeProducer(capacity, perFlush);
  return { fake, producer: new FlushProducer(fake as unknown as Kafka.Producer) };
}

describe('FlushProducer', () => {
  it('acknowledges a batch once a flush found every one of its records delivered', async () => {
    const { fake, producer } = setup(1000, 3);
    const result = await acked(producer, records(0, 10));
    assert.equal(result, null);
    assert.deepEqual(fake.delivered, Array.from({ length: 10 }, (_, i) => String(i)));
    assert.deepEqual(fake.flushes, [3, 3, 3, 1], 'a flush that timed out is repeated');
    assert.equal(producer.inFlight, 0);
  });

  it('a few records produced during a flush go out at once and are acknowledged by the next flush', async () => {
    const { fake, producer } = setup();
    const order: number[] = [];
    const first = acked(producer, records(0, 2)).then(() => order.push(1));
    const second = acked(producer, records(2, 2)).then(() => order.push(2));
    assert.deepEqual(fake.queue, ['0', '1', '2', '3'], 'the second batch did not wait for the first flush');
    await Promise.all([first, second]);
    assert.deepEqual(order, [1, 2]);
    assert.deepEqual(fake.flushes, [4, 0], 'the second flush covers what the first let through');
  });

  it('past eagerMax records, batches produced during a flush wait and go as the next round, in order', async () => {
    const fake = new FakeProducer(1000);
    const producer = new FlushProducer(fake as unknown as Kafka.Producer, { eagerMax: 3 });
    const results = await Promise.all([acked(producer, records(0, 2)), acked(producer, records(2, 2)), acked(producer, records(4, 1)), acked(producer, records(5, 2))]);
    assert.deepEqual(results, [null, null, null, null]);
    assert.deepEqual(fake.flushes, [5, 2], 'the first round, the 3 records let through, then the batch that waited');
    assert.deepEqual(fake.delivered, ['0', '1', '2', '3', '4', '5', '6']);
  });

  it('a full local queue leaves the rest for the next round: nothing lost, order kept', async () => {
    const { fake, producer } = setup(7);
    const results = await Promise.all([acked(producer, records(0, 20)), acked(producer, records(20, 3))]);
    assert.deepEqual(results, [null, null]);
    assert.deepEqual(fake.delivered, Array.from({ length: 23 }, (_, i) => String(i)));
    assert.ok(await producer.whenIdle(Date.now() + 1000));
  });

  it('a failed record fails the batches its flush covers (and the one it cut short), not the rounds after', async () => {
    const { fake, producer } = setup(5);
    fake.failing.add('3');
    assert.equal(await acked(producer, records(0, 2)), null);
    const second = acked(producer, records(2, 8)); // 2..6 fill the queue: cut short
    const third = acked(producer, records(10, 2));
    const [b, c] = await Promise.all([second, third]);
    assert.equal((b as { code?: string } | null)?.code, ErrorCode.Delivery);
    assert.equal(c, null);
  });

  it('a failure fails what a flush let through meanwhile too: it may be the failed record', async () => {
    const { fake, producer } = setup();
    fake.failing.add('1');
    const [a, b] = await Promise.all([acked(producer, records(0, 2)), acked(producer, records(2, 2))]);
    assert.equal((a as { code?: string } | null)?.code, ErrorCode.Delivery);
    assert.equal((b as { code?: string } | null)?.code, ErrorCode.Delivery);
  });

  it('batches produced by an acknowledgement are acknowledged too, however many', async () => {
    // As the runtime's emitter does: the table changes held behind a batch go out from its acknowledgement.
    const { fake, producer } = setup();
    const later: Promise<Error | null>[] = [];
    const first = new Promise<Error | null>((resolve) =>
      producer.produce(records(0, 1), (err) => {
        later.push(acked(producer, records(1, 1)), acked(producer, records(2, 1)));
        resolve(err);
      }),
    );
    assert.equal(await first, null);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(resolve, 2000, 'timed out')));
    const results = await Promise.race([Promise.all(later), timedOut]);
    clearTimeout(timer);
    assert.deepEqual(results, [null, null]);
    assert.deepEqual(fake.delivered, ['0', '1', '2']);
  });

  it('whenIdle waits for every round; failPending settles what is left', async () => {
    const { producer } = setup();
    void acked(producer, records(0, 3));
    assert.equal(await producer.whenIdle(Date.now() + 1000), true);
    const never = new FlushProducer(Object.assign(new EventEmitter(), { produce() {}, flush() {} }) as unknown as Kafka.Producer);
    const pending = acked(never, records(0, 2));
    assert.equal(await never.whenIdle(Date.now() + 20), false);
    never.failPending(new Error('closed'));
    assert.equal((await pending)?.message, 'closed');
  });

  it('a flush the broker is slow to answer steps up to 50 ms instead of polling every millisecond', async () => {
    // Every record waits 300 ms for its acknowledgement; each flush waits the time it is given.
    const steps: number[] = [];
    let ackedAt = 0;
    const fake = {
      on: () => undefined,
      produce: () => (ackedAt = Date.now() + 300),
      flush: (timeoutMs: number, cb: (err: Error | null) => void) => {
        steps.push(timeoutMs);
        const left = ackedAt - Date.now();
        setTimeout(() => cb(left > timeoutMs ? new Error('Local: Timed out') : null), Math.min(Math.max(left, 0), timeoutMs));
      },
    };
    const producer = new FlushProducer(fake as unknown as Kafka.Producer);
    assert.equal(await acked(producer, records(0, 1)), null);
    assert.equal(steps[0], 1, 'a flush starts in 1 ms steps');
    assert.equal(Math.max(...steps), 50);
    assert.ok(steps.length < 40, `${steps.length} flush calls over 300 ms`);
  });
});
