import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ErrorCode,
  Link,
  Rpc,
  TestDriver,
  Transform,
  checkUniqueNames,
  defineLink,
  exploreLink,
  isLinkClass,
  isLinkDefinition,
  linksOfModule,
  resolveLink,
  type Context,
  type Electron,
} from '../index.js';

class Base {
  prefix = 'base';

  @Transform('inherit_a')
  fromBase(electron: Electron<string>) {
    return `${this.prefix}:${electron.value}`;
  }

  @Rpc()
  describe() {
    return this.prefix;
  }
}

@Link({ output: 'inherit_out' })
class Derived extends Base {
  override prefix = 'derived';

  @Transform('inherit_b')
  fromDerived(electron: Electron<string>) {
    return `own:${electron.value}`;
  }
}

describe('exploreLink', () => {
  it('finds handlers and RPC methods inherited from a base class', () => {
    const definition = exploreLink(Derived);
    assert.deepEqual(
      definition.transforms.map((t) => `${t.method}@${t.topic}`).sort(),
      ['fromBase@inherit_a', 'fromDerived@inherit_b'],
    );
    assert.deepEqual(definition.rpcMethods, ['describe']);
  });

  it('runs an inherited handler on the derived instance', async () => {
    const driver = await TestDriver.start([Derived]);
    try {
      await driver.send('inherit_a', 'x');
      await driver.send('inherit_b', 'y');
      await driver.drain();
      assert.deepEqual(driver.read('inherit_out').map((e) => e.value).sort(), ['derived:x', 'own:y']);
      assert.equal(await driver.rpc('Derived', 'describe', {}), 'derived');
    } finally {
      await driver.close();
    }
  });

  it('takes the class name as the link name unless @Link names it', () => {
    @Link({ name: 'custom-name' })
    class Named {
      @Transform() handle() {}
    }
    assert.equal(exploreLink(Derived).name, 'Derived');
    assert.equal(exploreLink(Named).name, 'custom-name');
  });

  it('rejects two handlers on one topic with CATENAE_BAD_LINK', () => {
    @Link()
    class Clash {
      @Transform('same') one() {}
      @Transform('same') two() {}
    }
    assert.throws(() => exploreLink(Clash), { code: ErrorCode.BadLink });
  });

  it('rejects two handlers of the default inputs with CATENAE_BAD_LINK', () => {
    @Link()
    class TwoDefaults {
      @Transform() one() {}
      @Transform() two() {}
    }
    assert.throws(() => exploreLink(TwoDefaults), { code: ErrorCode.BadLink });
  });

  it('rejects a clash between a base-class handler and a derived one', () => {
    class Parent {
      @Transform('shared') parentHandler() {}
    }
    @Link()
    class Child extends Parent {
      @Transform('shared') childHandler() {}
    }
    assert.throws(() => exploreLink(Child), { code: ErrorCode.BadLink });
  });

  it('rejects a class without @Link with CATENAE_BAD_LINK', () => {
    class Plain {
      @Transform() handle() {}
    }
    assert.equal(isLinkClass(Plain), false);
    assert.throws(() => exploreLink(Plain), { code: ErrorCode.BadLink });
    assert.throws(() => resolveLink(42), { code: ErrorCode.BadLink });
  });

  it('refuses to start a link whose @Transform names an invalid topic, with CATENAE_BAD_LINK', async () => {
    @Link()
    class BadTopic {
      @Transform('not a topic!') handle() {}
    }
    await assert.rejects(TestDriver.start([BadTopic]), { code: ErrorCode.BadLink });
  });
});

describe('linksOfModule and checkUniqueNames', () => {
  @Link()
  class ModuleLink {
    @Transform() handle() {}
  }
  const functional = defineLink({ name: 'functional', transform: () => undefined });

  it('finds @Link classes and defineLink results among a module exports, once each', () => {
    const links = linksOfModule({ default: ModuleLink, ModuleLink, functional, helper: () => 1, VERSION: '1.0' }, 'mod.js');
    assert.deepEqual(links.map((l) => l.name), ['ModuleLink', 'functional']);
  });

  it('throws CATENAE_NO_LINK for a module that exports no link', () => {
    class NotALink {}
    assert.throws(() => linksOfModule({ NotALink, helper: () => 1 }, 'empty.js'), { code: ErrorCode.NoLink });
    assert.throws(() => linksOfModule({}, 'nothing.js'), { code: ErrorCode.NoLink });
  });

  it('throws CATENAE_DUPLICATE_LINK when two links share a name', () => {
    const twin = defineLink({ name: 'ModuleLink', transform: () => undefined });
    assert.throws(() => checkUniqueNames([exploreLink(ModuleLink), twin]), { code: ErrorCode.DuplicateLink });
    assert.doesNotThrow(() => checkUniqueNames([exploreLink(ModuleLink), functional]));
  });

  it('a TestDriver refuses two links with one name with CATENAE_DUPLICATE_LINK', async () => {
    const twin = defineLink({ name: 'ModuleLink', transform: () => undefined });
    await assert.rejects(TestDriver.start([ModuleLink, twin]), { code: ErrorCode.DuplicateLink });
  });
});

describe('defineLink', () => {
  it('builds a definition that isLinkDefinition and resolveLink accept as is', () => {
    const definition = defineLink({ name: 'fn', transform: () => undefined, output: 'o', concurrency: 4 });
    assert.equal(isLinkDefinition(definition), true);
    assert.equal(resolveLink(definition), definition);
    assert.equal(definition.options.output, 'o');
    assert.equal(definition.options.concurrency, 4);
    assert.deepEqual(definition.transforms, [{ method: 'transform', topic: undefined, priority: 0 }]);
  });

  it('rejects two handlers of one topic with CATENAE_BAD_LINK', () => {
    assert.throws(
      () =>
        defineLink({
          name: 'clash',
          transforms: [
            { topic: 'x', handle: () => undefined },
            { topic: 'x', handle: () => undefined },
          ],
        }),
      { code: ErrorCode.BadLink },
    );
  });

  it('runs with per-instance state as `this`, setup, named-topic handlers and RPC', async () => {
    const counter = defineLink({
      name: 'counter',
      inputs: ['counter_in'],
      output: 'counter_out',
      state: () => ({ seen: 0, label: '' }),
      setup(this: { label: string }, ctx: Context) {
        this.label = ctx.linkName;
      },
      transform(this: { seen: number; label: string }, electron: Electron<string>) {
        this.seen++;
        return `${this.label}#${this.seen}:${electron.value}`;
      },
      transforms: [{ topic: 'counter_reset', priority: 1, handle: function (this: { seen: number }) { this.seen = 0; } }],
      rpc: {
        seenCount(this: { seen: number }) {
          return this.seen;
        },
      },
    });
    const driver = await TestDriver.start([counter], { links: { counter: { concurrency: 1 } } });
    try {
      await driver.send('counter_in', 'a');
      await driver.drain();
      await driver.send('counter_in', 'b');
      await driver.drain();
      assert.deepEqual(driver.read('counter_out').map((e) => e.value), ['counter#1:a', 'counter#2:b']);
      assert.equal(await driver.rpc('counter', 'seenCount', {}), 2);
      await driver.send('counter_reset', 'now');
      await driver.drain();
      assert.equal(await driver.rpc('counter', 'seenCount', {}), 0);
      assert.equal(driver.read('counter_out').length, 2, 'the reset handler emits nothing');
    } finally {
      await driver.close();
    }
  });

  it('gives each instance its own state', async () => {
    const states: object[] = [];
    const link = defineLink({
      name: 'stateful',
      inputs: ['stateful_in'],
      state: () => ({ items: [] as string[] }),
      setup(this: object) {
        states.push(this);
      },
      transform() {},
    });
    const driver = await TestDriver.start([link], { instances: { stateful: 2 } });
    try {
      assert.equal(states.length, 2);
      assert.notEqual(states[0], states[1]);
      assert.notEqual((states[0] as { items: unknown }).items, (states[1] as { items: unknown }).items);
    } finally {
      await driver.close();
    }
  });
});
