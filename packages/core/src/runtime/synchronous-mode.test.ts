import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import { Link } from '../decorators/link.js';
import { Transform } from '../decorators/transform.js';
import type { Electron } from '../electron.js';
import { TestDriver } from '../testing/test-driver.js';

const broker = new EmbeddedBroker();
/** At each electron's start: the committed input offset, and how many outputs the broker holds. */
const seenAtEntry: { committed: number; outputs: number }[] = [];

@Link({ name: 'Careful', inputs: ['orders'], output: 'confirmed' })
class Careful {
  @Transform()
  async confirm(order: Electron<string>) {
    seenAtEntry.push({ committed: broker.committed('catenae_careful', 'orders', 0) ?? 0, outputs: broker.topicRecords('confirmed').length });
    await new Promise((resolve) => setImmediate(resolve));
    return `confirmed ${order.value}`;
  }
}

describe('synchronous mode', () => {
  it('commits inputs only after their outputs are acknowledged, and before handling more', async () => {
    broker.createTopic('orders', 1);
    const driver = await TestDriver.start([Careful], { broker, links: { Careful: { mode: 'synchronous' } } });
    try {
      for (let i = 0; i < 20; i++) await driver.send('orders', `o${i}`);
      await driver.drain();
      assert.deepEqual(driver.read<string>('confirmed').map((e) => e.value), Array.from({ length: 20 }, (_, i) => `confirmed o${i}`));
      assert.equal(broker.committed('catenae_careful', 'orders', 0), 20);
      seenAtEntry.forEach(({ committed, outputs }, k) => {
        assert.ok(committed <= k, `electron ${k} saw offset ${committed} committed: never ahead of what was handled`);
        assert.ok(outputs >= committed, `electron ${k}: ${committed} inputs committed with only ${outputs} outputs on the broker`);
      });
      assert.ok(seenAtEntry.some(({ committed }, k) => committed === k), 'commits happen as the link goes, not only at the end');
    } finally {
      await driver.close();
    }
  });
});
