import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import { Link } from '../decorators/link.js';
import { Transform } from '../decorators/transform.js';
import type { Electron } from '../electron.js';
import { TestDriver } from '../testing/test-driver.js';

const broker = new EmbeddedBroker();
const committedAtEntry: (number | undefined)[] = [];

@Link({ name: 'Careful', inputs: ['orders'], output: 'confirmed' })
class Careful {
  @Transform()
  async confirm(order: Electron<string>) {
    committedAtEntry.push(broker.committed('catenae_careful', 'orders', 0));
    await new Promise((resolve) => setImmediate(resolve));
    return `confirmed ${order.value}`;
  }
}

describe('synchronous mode', () => {
  it('commits each input, after its output is acknowledged, before the next electron starts', async () => {
    broker.createTopic('orders', 1);
    const driver = await TestDriver.start([Careful], { broker, links: { Careful: { mode: 'synchronous' } } });
    try {
      for (let i = 0; i < 20; i++) await driver.send('orders', `o${i}`);
      await driver.drain();
      assert.deepEqual(driver.read<string>('confirmed').map((e) => e.value), Array.from({ length: 20 }, (_, i) => `confirmed o${i}`));
      // Electron k starts once offsets 0..k-1 are committed: the committed offset it sees is k.
      assert.deepEqual(committedAtEntry.slice(1), Array.from({ length: 19 }, (_, i) => i + 1));
    } finally {
      await driver.close();
    }
  });
});
