import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddedBroker, Electron, Link, TestDriver, Transform, type OutgoingRecord } from '../index.js';

/** A few milliseconds of simulated I/O, different for every call. */
const work = () => delay(Math.floor(Math.random() * 4));

/** Tracks how many handler calls run at once. */
class Gauge {
  now = 0;
  max = 0;
  enter(): void {
    this.max = Math.max(this.max, ++this.now);
  }
  leave(): void {
    this.now--;
  }
}

function plain(topic: string, value: string, key: string | null = null, partition?: number): OutgoingRecord {
  return { topic, partition, key, value: Buffer.from(value), headers: undefined, timestamp: undefined };
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(item);
  }
  return groups;
}

describe('async mode ordering', () => {
  it('keeps the order of each key while handlers of different keys overlap', async () => {
    const gauge = new Gauge();
    const handled: [string, number][] = [];
    @Link({ output: 'keyed_out', concurrency: 8 })
    class Keyed {
      @Transform('keyed_in')
      async handle(electron: Electron<string>) {
        gauge.enter();
        await work();
        gauge.leave();
        handled.push([electron.key!, Number(electron.value)]);
        return new Electron({ key: electron.key, value: Number(electron.value) });
      }
    }
    const broker = new EmbeddedBroker();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const records: OutgoingRecord[] = [];
    for (let i = 0; i < 20; i++) for (const key of keys) records.push(plain('keyed_in', String(i), key));
    broker.append(records);
    const driver = await TestDriver.start([Keyed], { broker });
    try {
      await driver.drain();
      assert.ok(gauge.max > 1, `handlers overlapped (max ${gauge.max} at once)`);
      const expected = Array.from({ length: 20 }, (_, i) => i);
      for (const [key, items] of groupBy(handled, ([k]) => k)) {
        assert.deepEqual(items.map(([, i]) => i), expected, `handling order of key ${key}`);
      }
      const outputs = driver.read<number>('keyed_out');
      assert.equal(outputs.length, 120);
      for (const [key, items] of groupBy(outputs, (e) => e.key!)) {
        assert.deepEqual(items.map((e) => e.value), expected, `output order of key ${key}`);
      }
    } finally {
      await driver.close();
    }
  });

  it('keeps the order of each partition for electrons without a key', async () => {
    const gauge = new Gauge();
    const handled: [number, number][] = [];
    @Link({ output: 'keyless_out', concurrency: 16 })
    class Keyless {
      @Transform('keyless_in')
      async handle(electron: Electron<string>) {
        gauge.enter();
        await work();
        gauge.leave();
        handled.push([electron.partition!, electron.offset!]);
        return { partition: electron.partition, offset: electron.offset };
      }
    }
    const broker = new EmbeddedBroker({ defaultPartitions: 4 });
    const records: OutgoingRecord[] = [];
    for (let i = 0; i < 80; i++) records.push(plain('keyless_in', String(i), null, i % 4));
    broker.append(records);
    const driver = await TestDriver.start([Keyless], { broker });
    try {
      await driver.drain();
      assert.ok(gauge.max > 1, `handlers overlapped (max ${gauge.max} at once)`);
      const expected = Array.from({ length: 20 }, (_, i) => i);
      const byPartition = groupBy(handled, ([p]) => String(p));
      assert.equal(byPartition.size, 4);
      for (const [partition, items] of byPartition) {
        assert.deepEqual(items.map(([, offset]) => offset), expected, `handling order of partition ${partition}`);
      }
      const outputs = driver.read<{ partition: number; offset: number }>('keyless_out');
      for (const [partition, items] of groupBy(outputs, (e) => String(e.value.partition))) {
        assert.deepEqual(items.map((e) => e.value.offset), expected, `output order of partition ${partition}`);
      }
    } finally {
      await driver.close();
    }
  });

  it('never runs more handlers at once than its concurrency', async () => {
    const gauge = new Gauge();
    @Link({ concurrency: 3 })
    class Bounded {
      @Transform('bounded_in')
      async handle() {
        gauge.enter();
        await work();
        await work();
        gauge.leave();
      }
    }
    const broker = new EmbeddedBroker();
    broker.append(Array.from({ length: 60 }, (_, i) => plain('bounded_in', String(i), `key-${i}`)));
    const driver = await TestDriver.start([Bounded], { broker });
    try {
      await driver.drain();
      assert.equal(gauge.max, 3);
      assert.equal(driver.broker.lag('catenae_bounded', 'bounded_in'), 0);
    } finally {
      await driver.close();
    }
  });

  it('a retried electron keeps its place in the order of its key', async () => {
    let failures = 0;
    @Link({ output: 'retry_order_out', concurrency: 8 })
    class RetryOrder {
      @Transform('retry_order_in')
      async handle(electron: Electron<string>) {
        await work();
        if (electron.value === '1' && failures++ < 2) throw new Error('transient');
        return new Electron({ key: electron.key, value: Number(electron.value) });
      }
    }
    const broker = new EmbeddedBroker();
    broker.append(Array.from({ length: 8 }, (_, i) => plain('retry_order_in', String(i), 'same-key')));
    const driver = await TestDriver.start([RetryOrder], { broker, links: { RetryOrder: { retryBackoffMs: 2, logLevel: 'silent' } } });
    try {
      await driver.drain();
      assert.equal(failures, 3);
      assert.deepEqual(driver.read('retry_order_out').map((e) => e.value), [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(driver.broker.topicRecords('retry_order_in.dlq'), []);
    } finally {
      await driver.close();
    }
  });
});

describe('sequential mode', () => {
  it('handles one electron at a time and keeps the global order of a single-partition topic', async () => {
    const gauge = new Gauge();
    @Link({ output: 'seq_out', mode: 'sequential' })
    class Sequential {
      @Transform('seq_in')
      async handle(electron: Electron<string>) {
        gauge.enter();
        await work();
        gauge.leave();
        return Number(electron.value);
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('seq_in', 1);
    const keys = ['x', 'y', 'z', null];
    broker.append(Array.from({ length: 40 }, (_, i) => plain('seq_in', String(i), keys[i % keys.length]!)));
    const driver = await TestDriver.start([Sequential], { broker });
    try {
      await driver.drain();
      assert.equal(gauge.max, 1);
      assert.deepEqual(
        driver.read('seq_out').map((e) => e.value),
        Array.from({ length: 40 }, (_, i) => i),
      );
    } finally {
      await driver.close();
    }
  });

  it('keyless outputs of a sequential link reach a sequential reader downstream in order', async () => {
    const seen: number[] = [];
    @Link({ output: 'seqd_mid', mode: 'sequential' })
    class Upstream {
      @Transform('seqd_in')
      handle(electron: Electron<string>) {
        return Number(electron.value);
      }
    }
    @Link({ mode: 'sequential' })
    class Downstream {
      @Transform('seqd_mid')
      handle(electron: Electron<number>) {
        seen.push(electron.value);
      }
    }
    const broker = new EmbeddedBroker({ defaultPartitions: 4 });
    broker.createTopic('seqd_in', 1);
    broker.append(Array.from({ length: 24 }, (_, i) => plain('seqd_in', String(i))));
    const driver = await TestDriver.start([Upstream, Downstream], { broker });
    try {
      await driver.drain();
      assert.deepEqual(
        seen,
        Array.from({ length: 24 }, (_, i) => i),
      );
    } finally {
      await driver.close();
    }
  });
});
