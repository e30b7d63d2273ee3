import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import { Link } from '../decorators/link.js';
import { Transform } from '../decorators/transform.js';
import type { Electron } from '../electron.js';
import { TestDriver } from '../testing/test-driver.js';

@Link({ name: 'Once', inputs: ['payments'], output: 'ledger', onError: 'exit' })
class Once {
  @Transform()
  *book(payment: Electron<number>) {
    if (payment.value < 0) throw new Error('negative payment');
    yield payment.value;
    yield -payment.value;
  }
}

describe('exactly-once mode', () => {
  it('outputs and input offsets are committed together, batch by batch', async () => {
    const broker = new EmbeddedBroker();
    const driver = await TestDriver.start([Once], { broker, links: { Once: { mode: 'exactly-once' } } });
    try {
      for (let i = 1; i <= 50; i++) await driver.send('payments', i);
      await driver.drain();
      assert.equal(driver.read('ledger').length, 100);
      assert.equal(broker.lag('catenae_once', 'payments'), 0);
    } finally {
      await driver.close();
    }
  });

  it('a failed transaction shows none of its outputs and commits none of its input', async () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('payments', 1);
    const driver = await TestDriver.start([Once], { broker, links: { Once: { mode: 'exactly-once' } } });
    const [handle] = driver.instances('Once');
    await driver.send('payments', 5);
    await driver.drain();
    assert.equal(driver.read('ledger').length, 2);
    await driver.send('payments', -1);
    const exit = await handle!.done;
    assert.equal(exit.ok, false);
    assert.equal(driver.read('ledger').length, 2, 'nothing of the failed transaction is visible');
    assert.equal(broker.committed('catenae_once', 'payments', 0), 1, 'the failed input stays uncommitted');
    await driver.close();
  });
});
