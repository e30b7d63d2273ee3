import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Electron, Generator, Link, Rpc, TestDriver, Transform, exploreLink, isLinkClass, type Context } from '../index.js';

// This package compiles with experimentalDecorators, so TypeScript 5's standard decorators are
// simulated with their call shape: (method, context) for methods, (class, context) for classes.
function methodContext(name: string) {
  return { kind: 'method', name, static: false, private: false, metadata: {}, addInitializer() {} };
}
function classContext(name: string) {
  return { kind: 'class', name, metadata: {}, addInitializer() {} };
}

describe('standard (TS 5) decorators', () => {
  it('a class decorated with the standard call shape is a link with its handlers, generator and RPC methods', () => {
    class Standard {
      upper(electron: Electron<string>) {
        return electron.value.toUpperCase();
      }
      side(electron: Electron<string>) {
        return electron.value;
      }
      tick() {
        return 'tick';
      }
      reset() {
        return 'reset';
      }
      helper() {
        return 'not exposed';
      }
    }
    Transform()(Standard.prototype.upper, methodContext('upper'));
    Transform('side_in', 3)(Standard.prototype.side, methodContext('side'));
    Generator({ interval: 50 })(Standard.prototype.tick, methodContext('tick'));
    Rpc()(Standard.prototype.reset, methodContext('reset'));
    Link({ name: 'std', output: 'std_out' })(Standard, classContext('Standard'));

    assert.equal(isLinkClass(Standard), true);
    const definition = exploreLink(Standard);
    assert.equal(definition.name, 'std');
    assert.equal(definition.options.output, 'std_out');
    assert.deepEqual(
      [...definition.transforms].sort((a, b) => a.method.localeCompare(b.method)),
      [
        { method: 'side', topic: 'side_in', priority: 3 },
        { method: 'upper', topic: undefined, priority: 0 },
      ],
    );
    assert.deepEqual(definition.generators, [{ method: 'tick', interval: 50 }]);
    assert.deepEqual(definition.rpcMethods, ['reset']);
  });

  it('a link decorated the standard way runs end to end', async () => {
    class Shout {
      shout(electron: Electron<string>, ctx: Context) {
        return `${electron.value}! (${ctx.linkName})`;
      }
    }
    Transform('shout_in')(Shout.prototype.shout, methodContext('shout'));
    Link({ output: 'shout_out' })(Shout, classContext('Shout'));

    const driver = await TestDriver.start([Shout]);
    try {
      await driver.send('shout_in', 'hey');
      await driver.drain();
      assert.deepEqual(
        driver.read('shout_out').map((e) => e.value),
        ['hey! (Shout)'],
      );
    } finally {
      await driver.close();
    }
  });

  it('two standard @Transform calls on one method route both topics to it', () => {
    class Two {
      both(electron: Electron) {
        return electron.value;
      }
    }
    Transform('a')(Two.prototype.both, methodContext('both'));
    Transform('b', 2)(Two.prototype.both, methodContext('both'));
    Link()(Two, classContext('Two'));
    assert.deepEqual(exploreLink(Two).transforms, [
      { method: 'both', topic: 'a', priority: 0 },
      { method: 'both', topic: 'b', priority: 2 },
    ]);
  });
});

describe('legacy (experimentalDecorators) decorators', () => {
  @Link({ output: 'legacy_out' })
  class Legacy {
    @Transform()
    handle(electron: Electron<number>) {
      return electron.value * 2;
    }

    @Transform('legacy_side', 5)
    @Transform('legacy_other')
    side(electron: Electron<number>) {
      return electron.value;
    }

    @Generator()
    *produce() {
      yield 1;
    }

    @Rpc()
    ping() {
      return 'pong';
    }

    notRpc() {
      return 'hidden';
    }
  }

  it('records transforms, generators and RPC methods', () => {
    const definition = exploreLink(Legacy);
    assert.equal(definition.name, 'Legacy');
    const topics = definition.transforms.map((t) => `${t.method}:${t.topic ?? '-'}:${t.priority}`).sort();
    assert.deepEqual(topics, ['handle:-:0', 'side:legacy_other:0', 'side:legacy_side:5']);
    assert.deepEqual(definition.generators, [{ method: 'produce' }]);
    assert.deepEqual(definition.rpcMethods, ['ping']);
  });

  it('decorating keeps the methods callable as plain methods', () => {
    const link = new Legacy();
    assert.equal(link.handle(new Electron({ value: 21 })), 42);
    assert.equal(link.ping(), 'pong');
  });

  it('explores a class once: the same definition each time', () => {
    assert.equal(exploreLink(Legacy), exploreLink(Legacy));
  });
});
