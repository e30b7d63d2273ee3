import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedBroker, EmbeddedTransportFactory, ErrorCode, Link, TestDriver, Transform, startLink, type Context, type Electron } from '../index.js';

/** Sets (or, with undefined, deletes) environment variables and returns a function restoring them. */
function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (vars: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  return () => apply(saved);
}

describe('Context identity', () => {
  it('tells the handler its uid, link name, consumer group, args and logger', async () => {
    let seen: Context | undefined;
    @Link()
    class WhoAmI {
      @Transform('whoami_in')
      handle(_electron: Electron, ctx: Context) {
        seen = ctx;
      }
    }
    const driver = await TestDriver.start([WhoAmI], { links: { WhoAmI: { uid: 'instance-1', args: ['--verbose', 'x=1'] } } });
    try {
      await driver.send('whoami_in', 'hi');
      await driver.drain();
      const handle = driver.instances('WhoAmI')[0]!;
      assert.ok(seen, 'the handler ran');
      assert.equal(seen, handle.ctx);
      assert.equal(seen.uid, 'instance-1');
      assert.equal(handle.uid, 'instance-1');
      assert.equal(seen.linkName, 'WhoAmI');
      assert.equal(seen.consumerGroup, 'catenae_whoami');
      assert.deepEqual(seen.args, ['--verbose', 'x=1']);
      for (const level of ['error', 'warn', 'info', 'debug'] as const) assert.equal(typeof seen.logger[level], 'function');
    } finally {
      await driver.close();
    }
  });

  it('gives an instance 12 random hex digits as uid when $HOSTNAME is not set', async () => {
    const broker = new EmbeddedBroker();
    @Link()
    class Anonymous {
      @Transform('anonymous_in') handle() {}
    }
    const restore = setEnv({ HOSTNAME: undefined, container: undefined, KUBERNETES_SERVICE_HOST: undefined });
    try {
      const handle = await startLink(Anonymous, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
      await handle.stop();
      assert.match(handle.uid, /^[0-9a-f]{12}$/);
    } finally {
      restore();
    }
  });
});

describe('ctx.send delivery options', () => {
  @Link({ output: 'delivery_out' })
  class Deliverer {
    @Transform('delivery_in')
    async handle(electron: Electron<string>, ctx: Context) {
      await ctx.send(`${electron.value}-sync`, undefined, { sync: true });
      return `${electron.value}-after`;
    }
  }

  it('onDelivered runs once per item, after the broker has the record', async () => {
    const driver = await TestDriver.start([Deliverer]);
    try {
      const ctx = driver.instances('Deliverer')[0]!.ctx;
      const reports: [Error | null, number][] = [];
      ctx.send(['x', 'y', 'z'], 'delivery_cb', {
        onDelivered: (err) => reports.push([err, driver.broker.topicRecords('delivery_cb').length]),
      });
      await driver.drain();
      assert.equal(reports.length, 3);
      for (const [err, onBroker] of reports) {
        assert.equal(err, null);
        assert.equal(onBroker, 3);
      }
      assert.deepEqual(driver.read('delivery_cb').map((e) => e.value), ['x', 'y', 'z']);
    } finally {
      await driver.close();
    }
  });

  it('{ sync: true } resolves once the broker has the record', async () => {
    const driver = await TestDriver.start([Deliverer]);
    try {
      const ctx = driver.instances('Deliverer')[0]!.ctx;
      const pending = ctx.send({ n: 1 }, 'delivery_sync', { sync: true });
      assert.ok(pending instanceof Promise);
      await pending;
      assert.deepEqual(driver.read('delivery_sync').map((e) => e.value), [{ n: 1 }]);
      await ctx.send([1, 2], 'delivery_sync', { sync: true });
      assert.deepEqual(driver.read('delivery_sync').map((e) => e.value), [{ n: 1 }, 1, 2]);
    } finally {
      await driver.close();
    }
  });

  it('a handler can await a synchronous send before returning', async () => {
    const driver = await TestDriver.start([Deliverer]);
    try {
      await driver.send('delivery_in', 'v');
      await driver.drain();
      assert.deepEqual(driver.read('delivery_out').map((e) => e.value), ['v-sync', 'v-after']);
    } finally {
      await driver.close();
    }
  });

  it('sending after the link stopped throws CATENAE_CLOSED', async () => {
    const driver = await TestDriver.start([Deliverer]);
    const ctx = driver.instances('Deliverer')[0]!.ctx;
    await driver.close();
    assert.throws(() => ctx.send('late'), { code: ErrorCode.Closed });
  });

  it('sending with no topic and no output throws CATENAE_NO_OUTPUT', async () => {
    @Link()
    class Nowhere {
      @Transform('nowhere_in') handle() {}
    }
    const driver = await TestDriver.start([Nowhere]);
    try {
      assert.throws(() => driver.instances('Nowhere')[0]!.ctx.send('x'), { code: ErrorCode.NoOutput });
    } finally {
      await driver.close();
    }
  });
});

describe('ctx inputs', () => {
  it('addInput starts reading a topic with the default handler; removeInput stops reading one', async () => {
    const seen: string[] = [];
    @Link({ inputs: ['dyn_a'] })
    class Dynamic {
      @Transform()
      handle(electron: Electron<string>) {
        seen.push(`${electron.previousTopic}:${electron.value}`);
      }
    }
    const driver = await TestDriver.start([Dynamic]);
    try {
      const { ctx } = driver.instances('Dynamic')[0]!;
      assert.deepEqual(ctx.inputs, ['dyn_a']);

      await ctx.addInput('dyn_b');
      assert.deepEqual([...ctx.inputs].sort(), ['dyn_a', 'dyn_b']);
      await driver.send('dyn_a', '1');
      await driver.send('dyn_b', '2');
      await driver.drain();
      assert.deepEqual(seen.sort(), ['dyn_a:1', 'dyn_b:2']);

      await ctx.removeInput('dyn_a');
      assert.deepEqual(ctx.inputs, ['dyn_b']);
      await driver.send('dyn_a', '3');
      await driver.send('dyn_b', '4');
      await driver.drain();
      assert.deepEqual(seen.sort(), ['dyn_a:1', 'dyn_b:2', 'dyn_b:4']);
      assert.equal(driver.broker.lag('catenae_dynamic', 'dyn_a'), 1, 'the removed topic is no longer read');
    } finally {
      await driver.close();
    }
  });

  it('addInput on a link without a default handler is refused with CATENAE_BAD_LINK', async () => {
    @Link()
    class OnlyNamed {
      @Transform('only_named_in') handle() {}
    }
    const driver = await TestDriver.start([OnlyNamed]);
    try {
      await assert.rejects(async () => driver.instances('OnlyNamed')[0]!.ctx.addInput('other'), { code: ErrorCode.BadLink });
    } finally {
      await driver.close();
    }
  });
});
