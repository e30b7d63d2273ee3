import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadLetterHeader, Electron, EmbeddedTransportFactory, Link, TestDriver, Transform } from '@catenae/core';
import { replayDeadLetters, type DeadLetter } from './replay-dead-letters.js';

// Values the link refuses until it is mended; a keyed and a keyless electron each.
let isMended = false;
const handled: string[] = [];

@Link({ inputs: ['orders'], output: 'orders_done' })
class Orders {
  @Transform()
  handle(order: Electron<string>) {
    if (!isMended && order.value.startsWith('bad')) throw new Error(`cannot take ${order.value}`);
    handled.push(order.value);
    return order.value.toUpperCase();
  }
}

describe('catenae dlq replay', () => {
  it('re-sends dead letters to their source topic, where the mended link handles them; a second replay sends nothing', async () => {
    isMended = false;
    handled.length = 0;
    const driver = await TestDriver.start([Orders], { links: { Orders: { retries: 0, logLevel: 'silent' } } });
    try {
      await driver.send('orders', 'good 1');
      await driver.send('orders', new Electron({ key: 'k', value: 'bad keyed', headers: { 'request-id': 'r-1' } }));
      await driver.send('orders', 'bad keyless');
      await driver.drain();
      assert.equal(driver.broker.topicRecords('orders.dlq').length, 2);
      const factory = new EmbeddedTransportFactory(driver.broker);

      const seen: DeadLetter[] = [];
      const dry = await replayDeadLetters({ factory, topic: 'orders.dlq', dryRun: true, idleMs: 300, onLetter: (l) => seen.push(l) });
      assert.deepEqual(dry, { replayed: { orders: 2 }, skipped: 0 });
      assert.equal(seen.length, 2);
      assert.ok(seen.every((l) => l.destination === 'orders' && /cannot take bad/.test(l.error ?? '')));
      assert.equal(driver.broker.topicRecords('orders').length, 3, 'a dry run sends nothing');

      isMended = true;
      const done = await replayDeadLetters({ factory, topic: 'orders.dlq', dryRun: false, idleMs: 300 });
      assert.deepEqual(done, { replayed: { orders: 2 }, skipped: 0 });
      await driver.drain();
      assert.deepEqual(handled.sort(), ['bad keyed', 'bad keyless', 'good 1'].sort());
      const replayed = driver.broker.topicRecords('orders').slice(3);
      const letterHeaders = new Set(driver.broker.topicRecords('orders.dlq').flatMap((r) => (r.headers ?? []).flatMap((h) => Object.keys(h))));
      assert.ok(letterHeaders.has(DeadLetterHeader.ErrorStack) && letterHeaders.has(DeadLetterHeader.SourceOffset), [...letterHeaders].join(', '));
      const replayedHeaders = replayed.flatMap((r) => (r.headers ?? []).flatMap((h) => Object.keys(h)));
      assert.deepEqual(replayedHeaders.filter((name) => (Object.values(DeadLetterHeader) as string[]).includes(name)), [], 'every dead-letter header is dropped');
      assert.ok(replayedHeaders.includes('request-id'), 'the record\'s own headers travel again');
      assert.equal(driver.broker.topicRecords('orders.dlq').length, 2, 'nothing new was dead-lettered');

      const again = await replayDeadLetters({ factory, topic: 'orders.dlq', dryRun: false, idleMs: 300 });
      assert.deepEqual(again, { replayed: {}, skipped: 0 }, 'progress was committed');
      await assert.rejects(replayDeadLetters({ factory, topic: 'nothing.dlq', dryRun: true }), { code: 'CATENAE_BAD_FLAG' });
    } finally {
      await driver.close();
    }
  });
});
