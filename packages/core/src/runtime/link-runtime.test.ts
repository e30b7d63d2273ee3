import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import {
  EmbeddedBroker,
  EmbeddedTransportFactory,
  Electron,
  Generator,
  Link,
  TestDriver,
  Transform,
  defineLink,
  startLink,
  type Context,
  type OutgoingRecord,
} from '../index.js';

/** Polls `condition` until it holds; fails after `timeoutMs`. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(2);
  }
}

function plain(topic: string, value: string, key: string | null = null): OutgoingRecord {
  return { topic, partition: undefined, key, value: Buffer.from(value), headers: undefined, timestamp: undefined };
}

describe('lifecycle', () => {
  it('setup finishes before the first electron is handled, even with input already waiting', async () => {
    const seen: [string, boolean][] = [];
    @Link()
    class Prepared {
      isReady = false;
      async setup() {
        await delay(10);
        this.isReady = true;
      }
      @Transform('prepared_in')
      handle(electron: Electron<string>) {
        seen.push([electron.value, this.isReady]);
      }
    }
    const broker = new EmbeddedBroker();
    broker.append([plain('prepared_in', 'a'), plain('prepared_in', 'b'), plain('prepared_in', 'c')]);
    const driver = await TestDriver.start([Prepared], { broker });
    try {
      await driver.drain();
      assert.deepEqual(seen.map(([v]) => v).sort(), ['a', 'b', 'c']);
      assert.ok(seen.every(([, isReady]) => isReady), 'every electron saw setup done');
    } finally {
      await driver.close();
    }
  });

  it('finish runs once at stop, after the last electron and its output', async () => {
    const events: string[] = [];
    let outputsAtFinish = -1;
    const broker = new EmbeddedBroker();
    @Link({ output: 'finish_out' })
    class Finisher {
      setup(ctx: Context) {
        events.push(`setup ${ctx.linkName}`);
      }
      @Transform('finish_in')
      async handle(electron: Electron<string>) {
        await delay(1);
        events.push(`handle ${electron.value}`);
        return electron.value;
      }
      finish(ctx: Context) {
        events.push(`finish ${ctx.linkName}`);
        outputsAtFinish = broker.topicRecords('finish_out').length;
      }
    }
    const driver = await TestDriver.start([Finisher], { broker });
    await driver.send('finish_in', 'x');
    await driver.drain();
    assert.ok(!events.some((e) => e.startsWith('finish')), 'finish waits for the stop');
    await driver.close();
    await driver.close();
    assert.deepEqual(events, ['setup Finisher', 'handle x', 'finish Finisher']);
    assert.equal(outputsAtFinish, 1);
  });

  it('a failing setup makes startLink reject with its error', async () => {
    @Link()
    class BrokenSetup {
      setup() {
        throw new Error('no database here');
      }
      @Transform('broken_setup_in')
      handle() {}
    }
    const factory = new EmbeddedTransportFactory(new EmbeddedBroker());
    await assert.rejects(startLink(BrokenSetup, { transport: factory, logLevel: 'silent' }), /no database here/);
  });

  it('ctx.loop runs repeatedly between setup and finish, and not after', async () => {
    const events: string[] = [];
    @Link()
    class Looper {
      setup(ctx: Context) {
        events.push('setup');
        ctx.loop(() => void events.push('loop'), { intervalMs: 1 });
      }
      finish() {
        events.push('finish');
      }
    }
    const driver = await TestDriver.start([Looper]);
    try {
      await waitFor(() => events.filter((e) => e === 'loop').length >= 3, 'three loop calls');
    } finally {
      await driver.close();
    }
    const loopsAtClose = events.length;
    await delay(20); // long enough for many more 1 ms loop iterations, were the loop still running
    assert.equal(events.length, loopsAtClose, 'no call after the link stopped');
    assert.equal(events[0], 'setup');
    assert.equal(events.at(-1), 'finish');
    assert.equal(events.filter((e) => e === 'finish').length, 1);
  });

  it('a @Generator with an interval is called again and again', async () => {
    @Link({ output: 'tick_out' })
    class Ticker {
      count = 0;
      @Generator({ interval: 2 })
      tick() {
        return ++this.count;
      }
    }
    const driver = await TestDriver.start([Ticker]);
    try {
      await waitFor(() => driver.broker.topicRecords('tick_out').length >= 3, 'three ticks');
      assert.deepEqual(driver.read('tick_out').slice(0, 3).map((e) => e.value), [1, 2, 3]);
    } finally {
      await driver.close();
    }
  });

  it('a one-shot generator method emits everything it yields', async () => {
    @Link({ output: 'once_out' })
    class Once {
      @Generator()
      *lines() {
        yield 'first';
        yield new Electron({ key: 'k', value: 'second' });
        yield undefined;
        yield 'third';
      }
    }
    const driver = await TestDriver.start([Once]);
    try {
      await driver.drain();
      assert.deepEqual(driver.read('once_out').map((e) => e.value), ['first', 'second', 'third']);
    } finally {
      await driver.close();
    }
  });

  it('drain waits for a one-shot async generator to finish emitting', async () => {
    @Link({ output: 'async_source_out' })
    class AsyncSource {
      @Generator()
      async *lines() {
        for (let i = 0; i < 5; i++) {
          await delay(10);
          yield i;
        }
      }
    }
    const driver = await TestDriver.start([AsyncSource]);
    try {
      await driver.drain();
      assert.deepEqual(driver.read('async_source_out').map((e) => e.value), [0, 1, 2, 3, 4]);
    } finally {
      await driver.close();
    }
  });
});

describe('commits', () => {
  it("after drain the group's committed offsets equal the end offsets of every partition", async () => {
    @Link({ output: 'commit_out' })
    class Committer {
      @Transform('commit_in')
      async handle(electron: Electron<string>) {
        await delay(Math.floor(Math.random() * 3));
        return electron.value;
      }
    }
    const driver = await TestDriver.start([Committer]);
    try {
      for (let i = 0; i < 40; i++) await driver.send('commit_in', new Electron({ key: `k${i % 7}`, value: String(i) }));
      await driver.drain();
      const ends = driver.broker.endOffsets('commit_in');
      assert.equal(ends.reduce((a, b) => a + b, 0), 40);
      ends.forEach((end, partition) => {
        if (end > 0) assert.equal(driver.broker.committed('catenae_committer', 'commit_in', partition), end, `partition ${partition}`);
      });
      assert.equal(driver.broker.lag('catenae_committer', 'commit_in'), 0);
    } finally {
      await driver.close();
    }
  });
});

describe('commit safety', () => {
  it('never commits past an electron still in flight, however many later ones finished', async () => {
    let releaseSlow: () => void = () => undefined;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    let fastDone = 0;
    @Link({ output: 'safety_out' })
    class Safety {
      @Transform('safety_in')
      async handle(electron: Electron<string>) {
        if (electron.value === 'slow') await slowGate;
        else fastDone++;
        return electron.value;
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('safety_in', 1);
    broker.append([plain('safety_in', 'slow', 's'), ...['a', 'b', 'c', 'd'].map((v) => plain('safety_in', v, v))]);
    const driver = await TestDriver.start([Safety], { broker });
    try {
      const handle = driver.instances('Safety')[0]!;
      await waitFor(() => fastDone === 4 && broker.topicRecords('safety_out').length === 4, 'the four fast electrons');
      await handle.commitNow();
      assert.equal(broker.committed('catenae_safety', 'safety_in', 0), undefined, 'offset 0 is unfinished: nothing is committable');
      releaseSlow();
      await driver.drain();
      assert.equal(broker.committed('catenae_safety', 'safety_in', 0), 5);
    } finally {
      releaseSlow();
      await driver.close();
    }
  });
});

describe('stopping', () => {
  it('stop() lets electrons in flight finish: their outputs are produced and committed', async () => {
    let started = 0;
    @Link({ output: 'stop_out' })
    class Slow {
      @Transform('stop_in')
      async handle(electron: Electron<string>) {
        started++;
        await delay(20);
        return electron.value;
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('stop_in', 1);
    broker.append(['a', 'b', 'c', 'd'].map((v) => plain('stop_in', v, v)));
    const handle = await startLink(Slow, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
    await waitFor(() => started === 4, 'four handlers in flight');
    const exit = await handle.stop();
    assert.equal(exit.ok, true);
    assert.deepEqual(broker.topicRecords('stop_out').map((r) => r.value!.toString()).sort(), ['a', 'b', 'c', 'd']);
    assert.equal(broker.committed('catenae_slow', 'stop_in', 0), 4);
    assert.deepEqual(await handle.done, exit);
  });

  it('ctx.stop(reason) ends the link with ok=false and the reason', async () => {
    @Link()
    class Quitter {
      @Transform('quit_in')
      handle(electron: Electron<string>, ctx: Context) {
        if (electron.value === 'quit') ctx.stop('asked to quit');
      }
    }
    const driver = await TestDriver.start([Quitter], { links: { Quitter: { logLevel: 'silent' } } });
    try {
      await driver.send('quit_in', 'quit');
      const exit = await driver.instances('Quitter')[0]!.done;
      assert.equal(exit.ok, false);
      assert.match(exit.reason, /asked to quit/);
    } finally {
      await driver.close();
    }
  });

  it('ctx.stop(reason) drains what is in flight and commits it before ending', async () => {
    let started = 0;
    @Link({ output: 'ctx_stop_out' })
    class Stopper {
      @Transform('ctx_stop_in')
      async handle(electron: Electron<string>, ctx: Context) {
        started++;
        if (electron.value === 'stop') {
          ctx.stop('enough');
          return undefined;
        }
        await delay(20);
        return electron.value;
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('ctx_stop_in', 1);
    // Distinct keys: the four values run concurrently, the stop comes while they are in flight.
    broker.append([...['a', 'b', 'c', 'd'].map((v) => plain('ctx_stop_in', v, v)), plain('ctx_stop_in', 'stop', 'stop')]);
    const handle = await startLink(Stopper, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
    const exit = await handle.done;
    assert.equal(started, 5);
    assert.equal(exit.ok, false);
    assert.match(exit.reason, /enough/);
    assert.deepEqual(broker.topicRecords('ctx_stop_out').map((r) => r.value!.toString()).sort(), ['a', 'b', 'c', 'd']);
    assert.equal(broker.committed('catenae_stopper', 'ctx_stop_in', 0), 5);
  });

  it('a source whose one-shot generators all returned stops by itself, cleanly', async () => {
    @Link({ output: 'self_stop_out' })
    class Finite {
      @Generator()
      *numbers() {
        yield 1;
        yield 2;
      }
    }
    const broker = new EmbeddedBroker();
    const handle = await startLink(Finite, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
    const exit = await handle.done;
    assert.equal(exit.ok, true);
    assert.equal(broker.topicRecords('self_stop_out').length, 2);
  });
});

describe('periodic tasks that fail', () => {
  it('a failing ctx.loop run is logged and the loop goes on', async () => {
    let runs = 0;
    const Looper = defineLink({
      name: 'FailingLooper',
      setup(ctx: Context) {
        ctx.loop(() => {
          runs++;
          if (runs === 1) throw new Error('first run fails');
        }, { intervalMs: 1 });
      },
    });
    const driver = await TestDriver.start([Looper]);
    try {
      await waitFor(() => runs >= 3, 'two more runs after the failing one', 5000);
    } finally {
      await driver.close();
    }
  });
});
