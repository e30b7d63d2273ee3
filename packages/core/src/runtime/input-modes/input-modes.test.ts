import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbeddedBroker } from '../../broker/embedded-broker.js';
import { Link } from '../../decorators/link.js';
import { Transform } from '../../decorators/transform.js';
import type { Electron } from '../../electron.js';
import { TestDriver } from '../../testing/test-driver.js';
import { ExpSelector } from './exp-selector.js';

const seen: string[] = [];

@Link({ name: 'Prioritised' })
class Prioritised {
  @Transform('urgent', 10)
  urgent(electron: Electron<string>): void {
    seen.push(electron.previousTopic!);
  }
  @Transform('bulk', 1)
  bulk(electron: Electron<string>): void {
    seen.push(electron.previousTopic!);
  }
}

/** A handler that costs about 20 µs, so a backlog lasts long enough to see the windows. */
function busy(): void {
  const until = process.hrtime.bigint() + 20_000n;
  while (process.hrtime.bigint() < until);
}

@Link({ name: 'Windowed' })
class Windowed {
  @Transform('urgent', 10)
  urgent(electron: Electron<string>): void {
    busy();
    seen.push(electron.previousTopic!);
  }
  @Transform('bulk', 1)
  bulk(electron: Electron<string>): void {
    busy();
    seen.push(electron.previousTopic!);
  }
}

function backlog(broker: EmbeddedBroker, topic: string, count: number): void {
  broker.createTopic(topic, 4);
  const records = Array.from({ length: count }, (_, i) => ({ topic, partition: undefined, key: null, value: Buffer.from(`${topic}-${i}`), headers: undefined, timestamp: undefined }));
  broker.append(records);
}

describe('input modes', () => {
  it('priority: with 20k waiting on a low topic and 2k on a high one, the first 2k handled come from the high one', async () => {
    seen.length = 0;
    const broker = new EmbeddedBroker();
    backlog(broker, 'bulk', 20_000);
    backlog(broker, 'urgent', 2_000);
    const driver = await TestDriver.start([Prioritised], { broker, links: { Prioritised: { inputMode: 'priority' } } });
    try {
      await driver.drain(30_000);
      assert.equal(seen.length, 22_000);
      const firstHigh = seen.slice(0, 2000).filter((topic) => topic === 'urgent').length;
      assert.ok(firstHigh >= 1980, `${firstHigh} of the first 2000 came from the high topic`);
    } finally {
      await driver.close();
    }
  });

  it('priority: new records on the high topic pause the low one again', async () => {
    seen.length = 0;
    const broker = new EmbeddedBroker();
    backlog(broker, 'bulk', 50_000);
    const driver = await TestDriver.start([Prioritised], { broker, links: { Prioritised: { inputMode: 'priority' } } });
    try {
      const deadline = Date.now() + 5000;
      while (seen.length < 1000 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      for (let i = 0; i < 100; i++) await driver.send('urgent', `u${i}`);
      const sentAt = seen.length;
      await driver.drain(30_000);
      const lastUrgent = seen.lastIndexOf('urgent');
      assert.ok(lastUrgent - sentAt < 5000, `the urgent records were handled within ${lastUrgent - sentAt} electrons of arriving`);
    } finally {
      await driver.close();
    }
  });

  it('exp: each topic gets 1.7 times the window share of the next lower one', () => {
    const selector = new ExpSelector(() => undefined, () => undefined, [
      { topic: 'low', priority: 0 },
      { topic: 'high', priority: 5 },
      { topic: 'mid', priority: 2 },
    ], 2700);
    const [high, mid, low] = selector.sharesMs as [number, number, number];
    assert.ok(Math.abs(high / mid - 1.7) < 1e-9 && Math.abs(mid / low - 1.7) < 1e-9);
    assert.ok(Math.abs(high + mid + low - 2700) < 1e-6);
  });

  it('exp: a turn is not given up at its first empty fetch when the previous batch took long (a resumed Kafka partition needs a round trip)', (t) => {
    // The selector starts a turn at Date.now(): frozen, so `start` is that instant, not a tick before it.
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    let open = '';
    const selector = new ExpSelector(() => undefined, (partitions) => (open = partitions[0]!.topic), [
      { topic: 'high', priority: 1 },
      { topic: 'low', priority: 0 },
    ], 2700);
    const start = Date.now();
    selector.onAssigned([{ topic: 'high', partition: 0 }, { topic: 'low', partition: 0 }]);
    const record = { topic: 'high', partition: 0, offset: 0, key: null, value: null, headers: undefined, timestamp: 0 };
    selector.afterFetch([record], start + 1700);
    assert.equal(open, 'low', "high's 1700 ms are over");
    // The batch fetched at the switch took 250 ms to handle; the next fetch, 100 ms, came back
    // empty: low's partitions were resumed only at the switch.
    selector.afterFetch([], start + 2050);
    assert.equal(open, 'low', 'one empty fetch is no sign of an idle topic');
    selector.afterFetch([], start + 2450);
    assert.equal(open, 'low', 'a resumed Kafka partition may take 400 ms to deliver');
    selector.afterFetch([], start + 2550);
    assert.equal(open, 'high', 'empty for 500 ms: the turn is given up early');
  });

  it('exp: with both topics loaded, the work splits as the windows say (within 10%)', async () => {
    seen.length = 0;
    const broker = new EmbeddedBroker();
    backlog(broker, 'bulk', 200_000);
    backlog(broker, 'urgent', 200_000);
    const driver = await TestDriver.start([Windowed], { broker, links: { Windowed: { inputMode: 'exp', expWindowSizeS: 0.4 } } });
    try {
      const started = Date.now();
      while (Date.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 20));
      const urgent = seen.filter((topic) => topic === 'urgent').length;
      const share = urgent / seen.length;
      const expected = 1.7 / 2.7;
      assert.ok(Math.abs(share - expected) / expected < 0.1, `high topic share ${share.toFixed(3)}, expected ${expected.toFixed(3)}`);
    } finally {
      await driver.close();
    }
  });
});
