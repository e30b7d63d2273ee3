import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import { Link } from '../decorators/link.js';
import { Table } from '../decorators/table.js';
import { Transform } from '../decorators/transform.js';
import { Electron } from '../electron.js';
import type { KeyedTable } from '../state/keyed-table.js';
import { TestDriver } from '../testing/test-driver.js';
import { until } from '../testing/fixtures/until.js';

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

@Link({ name: 'Tally', inputs: ['votes'], output: 'tallies' })
class Tally {
  @Table() votes!: KeyedTable<string, number>;

  @Transform()
  async tally(vote: Electron<string>) {
    await new Promise((resolve) => setImmediate(resolve));
    const n = (this.votes.get(vote.key!) ?? 0) + 1;
    this.votes.set(vote.key!, n);
    return new Electron({ key: vote.key, value: n });
  }
}

describe('synchronous mode', () => {
  for (const mode of ['synchronous', 'exactly-once'] as const) {
    it(`[${mode}] a batch whose last electron was asynchronous sends its table changes and commits without waiting for the commit tick`, async (t) => {
      // The link's periodic commit never fires: a batch that waited for it would never end.
      t.mock.timers.enable({ apis: ['setInterval'] });
      // A broker of its own: the two modes would share the table's changelog.
      const votesBroker = new EmbeddedBroker();
      votesBroker.createTopic('votes', 1);
      const driver = await TestDriver.start([Tally], { broker: votesBroker, links: { Tally: { mode } } });
      try {
        for (const key of ['x', 'y', 'x']) {
          await driver.send('votes', new Electron({ key, value: 'vote' }));
          const sent = votesBroker.topicRecords('votes').length;
          await until(() => votesBroker.committed('catenae_tally', 'votes', 0) === sent, `vote ${sent} committed`);
        }
        assert.deepEqual(
          driver.read<number>('tallies').map((e) => [e.key, e.value]),
          [
            ['x', 1],
            ['y', 1],
            ['x', 2],
          ],
        );
      } finally {
        await driver.close();
      }
    });
  }

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
