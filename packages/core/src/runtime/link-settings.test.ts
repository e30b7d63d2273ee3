import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EmbeddedBroker,
  EmbeddedTransportFactory,
  Electron,
  ErrorCode,
  Generator,
  Link,
  TestDriver,
  Transform,
  startLink,
  type Context,
  type StartOptions,
} from '../index.js';

@Link({ output: 'settings_out' })
class Plain {
  @Transform()
  handle(electron: Electron) {
    return electron.value;
  }
}

describe('bad options', () => {
  const bad: [string, StartOptions][] = [
    ['an unknown mode', { mode: 'nope' as never }],
    ['concurrency 0', { concurrency: 0 }],
    ['a negative concurrency', { concurrency: -4 }],
    ['a fractional concurrency', { concurrency: 1.5 }],
    ['an input topic with a space', { inputs: ['bad topic'] }],
    ['an input topic with a slash', { inputs: ['a/b'] }],
    ['an empty input topic', { inputs: [''] }],
    ['an input topic of 250 characters', { inputs: ['t'.repeat(250)] }],
    ['the input topic ".."', { inputs: ['..'] }],
    ['an output topic with a colon', { output: 'out:1' }],
    ['an unknown on-error', { onError: 'explode' as never }],
    ['an unknown input format', { inputFormat: 'xml' as never }],
    ['an unknown input mode', { inputMode: 'random' as never }],
    ['an unknown codec', { codec: 'msgpack' }],
    ['negative retries', { retries: -1 }],
    ['a zero retry backoff', { retryBackoffMs: 0 }],
    ['an unknown log level', { logLevel: 'loud' as never }],
    ['a zero shutdown timeout', { shutdownTimeoutMs: 0 }],
  ];
  for (const [what, options] of bad) {
    it(`startLink rejects ${what} with CATENAE_BAD_FLAG`, async () => {
      const factory = new EmbeddedTransportFactory(new EmbeddedBroker());
      await assert.rejects(startLink(Plain, { inputs: ['settings_in'], logLevel: 'silent', ...options, transport: factory }), {
        code: ErrorCode.BadFlag,
      });
    });
  }

  it('TestDriver.start rejects a bad link option with CATENAE_BAD_FLAG', async () => {
    await assert.rejects(TestDriver.start([Plain], { links: { Plain: { inputs: ['ok'], mode: 'turbo' as never } } }), { code: ErrorCode.BadFlag });
  });

  it('a 249-character topic name is accepted', async () => {
    const factory = new EmbeddedTransportFactory(new EmbeddedBroker());
    const handle = await startLink(Plain, { inputs: ['t'.repeat(249)], logLevel: 'silent', transport: factory });
    await handle.stop();
  });
});

describe('option precedence', () => {
  it('start options override @Link options', async () => {
    const driver = await TestDriver.start([Plain], { links: { Plain: { inputs: ['prec_in'], output: 'prec_override' } } });
    try {
      await driver.send('prec_in', 'v');
      await driver.drain();
      assert.deepEqual(driver.read('prec_override').map((e) => e.value), ['v']);
      assert.deepEqual(driver.read('settings_out'), []);
    } finally {
      await driver.close();
    }
  });
});

describe('consumer groups', () => {
  it('defaults to catenae_<link name lowercased>', async () => {
    @Link({ name: 'MixedCase_Link' })
    class Mixed {
      @Transform('group_default_in') handle() {}
    }
    const driver = await TestDriver.start([Mixed]);
    try {
      const handle = driver.instances('MixedCase_Link')[0]!;
      assert.equal(handle.consumerGroup, 'catenae_mixedcase_link');
      assert.equal(handle.ctx.consumerGroup, 'catenae_mixedcase_link');
      await driver.send('group_default_in', 'x');
      await driver.drain();
      assert.equal(driver.broker.lag('catenae_mixedcase_link', 'group_default_in'), 0);
    } finally {
      await driver.close();
    }
  });

  it('takes consumerGroup from @Link, and a start option over it', async () => {
    @Link({ consumerGroup: 'from-decorator' })
    class Grouped {
      @Transform('group_option_in') handle() {}
    }
    const driver = await TestDriver.start([Grouped]);
    try {
      assert.equal(driver.instances('Grouped')[0]!.consumerGroup, 'from-decorator');
    } finally {
      await driver.close();
    }
    const overridden = await TestDriver.start([Grouped], { links: { Grouped: { consumerGroup: 'from-flag' } } });
    try {
      assert.equal(overridden.instances('Grouped')[0]!.consumerGroup, 'from-flag');
    } finally {
      await overridden.close();
    }
  });

  it('a pure source has no consumer group', async () => {
    @Link({ output: 'source_only_out' })
    class SourceOnly {
      @Generator({ interval: 1000 })
      tick() {
        return 1;
      }
    }
    const driver = await TestDriver.start([SourceOnly]);
    try {
      assert.equal(driver.instances('SourceOnly')[0]!.consumerGroup, undefined);
      assert.equal(driver.instances('SourceOnly')[0]!.ctx.consumerGroup, undefined);
    } finally {
      await driver.close();
    }
  });

  it('two instances in one group split the work and together handle each electron once', async () => {
    const seen: [string, number][] = [];
    @Link()
    class Worker {
      @Transform('split_in')
      handle(electron: Electron<number>, ctx: Context) {
        seen.push([ctx.uid, electron.value]);
      }
    }
    const driver = await TestDriver.start([Worker], { instances: { Worker: 2 }, links: { Worker: { logLevel: 'silent' } } });
    try {
      const [a, b] = driver.instances('Worker');
      assert.equal(a!.consumerGroup, b!.consumerGroup);
      for (let i = 0; i < 40; i++) await driver.send('split_in', new Electron({ key: `key-${i}`, value: i }));
      await driver.drain();
      assert.deepEqual(
        seen.map(([, v]) => v).sort((x, y) => x - y),
        Array.from({ length: 40 }, (_, i) => i),
      );
      const perInstance = new Set(seen.map(([uid]) => uid));
      assert.equal(perInstance.size, 2, 'both instances got a share');
      assert.equal(driver.broker.lag('catenae_worker', 'split_in'), 0);
    } finally {
      await driver.close();
    }
  });

  it('with uidConsumerGroup each instance reads the whole stream in a group of its own', async () => {
    const seen = new Map<string, number[]>();
    @Link({ uidConsumerGroup: true })
    class Watcher {
      @Transform('watch_in')
      handle(electron: Electron<number>, ctx: Context) {
        if (!seen.has(ctx.uid)) seen.set(ctx.uid, []);
        seen.get(ctx.uid)!.push(electron.value);
      }
    }
    const driver = await TestDriver.start([Watcher], { instances: { Watcher: 2 } });
    try {
      const [a, b] = driver.instances('Watcher');
      assert.notEqual(a!.consumerGroup, b!.consumerGroup);
      for (let i = 0; i < 10; i++) await driver.send('watch_in', new Electron({ key: `k${i}`, value: i }));
      await driver.drain();
      const all = Array.from({ length: 10 }, (_, i) => i);
      assert.equal(seen.size, 2);
      for (const [uid, values] of seen) assert.deepEqual([...values].sort((x, y) => x - y), all, `instance ${uid}`);
    } finally {
      await driver.close();
    }
  });
});
