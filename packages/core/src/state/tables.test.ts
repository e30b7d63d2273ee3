import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineLink,
  EmbeddedBroker,
  Electron,
  ErrorCode,
  Link,
  Rpc,
  Table,
  TestDriver,
  Transform,
  type Context,
  type KeyedTable,
} from '../index.js';
import { startLink } from '../runtime/start-link.js';
import { EmbeddedTransportFactory } from '../broker/embedded-transport.js';

@Link({ inputs: ['words'], output: 'counts' })
class Counter {
  @Table() counts!: KeyedTable<string, number>;

  @Transform()
  count(electron: Electron<number>) {
    const n = (this.counts.get(electron.key!) ?? 0) + (electron.value ?? 1);
    this.counts.set(electron.key!, n);
    return new Electron({ key: electron.key, value: n });
  }

  @Rpc()
  count_of(word: string) {
    return this.counts.get(word) ?? 0;
  }
}

function keyed(key: string, value = 1): Electron<number> {
  return new Electron({ key, value });
}

/** The last value per key on a topic: what a downstream table would hold (a changelog's own entries left out). */
function lastByKey(driver: TestDriver, topic: string): Map<string, unknown> {
  const last = new Map<string, unknown>();
  for (const electron of driver.read(topic)) if (!(electron.key as string).startsWith('\u0000')) last.set(electron.key as string, electron.value);
  return last;
}

describe('keyed tables', () => {
  it('a handler reads and writes its table synchronously, and the TestDriver shows it', async () => {
    const driver = await TestDriver.start([Counter]);
    try {
      for (const word of ['a', 'b', 'a', 'c', 'a']) await driver.send('words', keyed(word));
      await driver.drain();
      assert.deepEqual(Object.fromEntries(driver.table('Counter', 'counts')), { a: 3, b: 1, c: 1 });
      assert.deepEqual(Object.fromEntries(lastByKey(driver, 'counts')), { a: 3, b: 1, c: 1 });
    } finally {
      await driver.close();
    }
  });

  it('each table has a compacted changelog with one partition per input partition, keyed like the table', async () => {
    const broker = new EmbeddedBroker({ defaultPartitions: 6 });
    const driver = await TestDriver.start([Counter], { broker });
    try {
      for (const word of ['x', 'y', 'x']) await driver.send('words', keyed(word));
      await driver.drain();
      const changelog = 'catenae_counter.counts.changelog';
      assert.equal(broker.partitionCount(changelog), 6);
      assert.deepEqual(broker.topicConfig(changelog), { 'cleanup.policy': 'compact' });
      const records = driver.read<number>(changelog);
      assert.deepEqual(Object.fromEntries(lastByKey(driver, changelog)), { x: 2, y: 1 });
      // A change goes to the changelog partition of its input partition: the key's own.
      const inputPartition = new Map(driver.read('words').map((e) => [e.key, e.partition]));
      for (const record of records) {
        const inputs = driver.read('words').filter((e) => e.partition === record.partition).length;
        if (record.key === '\u0000offsets') assert.deepEqual(record.value, { words: inputs }, 'the input offsets its changes reflect');
        else assert.equal(record.partition, inputPartition.get(record.key));
      }
    } finally {
      await driver.close();
    }
  });

  it('changes of one batch are written once per key to the changelog', async () => {
    const broker = new EmbeddedBroker({ defaultPartitions: 1 });
    // Written before the link starts: it finds all 1000 in its first fetch.
    broker.createTopic('words', 1);
    const producer = new EmbeddedTransportFactory(broker).create({ clientId: 'before' });
    const records = Array.from({ length: 1000 }, (_, i) => ({ topic: 'words', partition: 0, key: `k${i % 10}`, value: null, headers: undefined, timestamp: undefined }));
    await new Promise<void>((resolve, reject) => producer.produce(records, (err) => (err ? reject(err) : resolve())));
    const driver = await TestDriver.start([Counter], { broker });
    try {
      await driver.drain();
      assert.equal(driver.table('Counter', 'counts').get('k3'), 100);
      const changes = driver.read('catenae_counter.counts.changelog').length;
      assert.ok(changes <= 10 * Math.ceil(1000 / 500), `${changes} changelog records for 1000 electrons over 10 keys`);
    } finally {
      await driver.close();
    }
  });

  it('a restarted link restores its table from the changelog before handling its first electron', async () => {
    const broker = new EmbeddedBroker();
    const first = await TestDriver.start([Counter], { broker });
    for (const word of ['a', 'b', 'a']) await first.send('words', keyed(word));
    await first.drain();
    await first.close();
    const second = await TestDriver.start([Counter], { broker });
    try {
      await second.drain();
      assert.deepEqual(Object.fromEntries(second.table('Counter', 'counts')), { a: 2, b: 1 });
      await second.send('words', keyed('a'));
      await second.drain();
      assert.equal(second.table('Counter', 'counts').get('a'), 3);
      assert.equal(lastByKey(second, 'counts').get('a'), 3);
    } finally {
      await second.close();
    }
  });

  it('instances of one link share the shards and the totals stay right', async () => {
    const driver = await TestDriver.start([Counter], { instances: { Counter: 3 } });
    try {
      const words = Array.from({ length: 300 }, (_, i) => `w${i % 30}`);
      for (const word of words) await driver.send('words', keyed(word));
      await driver.drain();
      const held = driver.instances('Counter').map((handle) => handle.ctx.tables.counts!.size);
      assert.equal(held.reduce((a, b) => a + b, 0), 30);
      assert.ok(held.filter((n) => n > 0).length >= 2, `shards held per instance: ${held.join(', ')}`);
      for (const [, n] of driver.table('Counter', 'counts')) assert.equal(n, 10);
    } finally {
      await driver.close();
    }
  });

  it('a handler that throws leaves the table as it found it, and its electron is dead-lettered', async () => {
    @Link({ inputs: ['in'] })
    class Partial {
      @Table() seen!: KeyedTable<string, number>;
      @Transform()
      handle(electron: Electron<string>) {
        this.seen.set(electron.key!, (this.seen.get(electron.key!) ?? 0) + 1);
        this.seen.set('total', (this.seen.get('total') ?? 0) + 1);
        if (electron.value === 'boom') throw new Error('boom');
      }
    }
    const driver = await TestDriver.start([Partial], { links: { Partial: { retries: 1, retryBackoffMs: 1 } } });
    try {
      await driver.send('in', new Electron({ key: 'k', value: 'ok' }));
      await driver.send('in', new Electron({ key: 'k', value: 'boom' }));
      await driver.send('in', new Electron({ key: 'k', value: 'ok' }));
      await driver.drain();
      assert.deepEqual(Object.fromEntries(driver.table('Partial', 'seen')), { k: 2, total: 2 });
      assert.equal(driver.read('in.dlq').length, 1);
    } finally {
      await driver.close();
    }
  });

  it('a value the codec cannot encode fails its electron (dead letter) and is never written', async () => {
    @Link({ inputs: ['in'] })
    class Unstorable {
      @Table() things!: KeyedTable<string, unknown>;
      @Transform()
      handle(electron: Electron<string>) {
        this.things.set(electron.key!, electron.value === 'fn' ? { run: () => 1 } : electron.value);
      }
    }
    const driver = await TestDriver.start([Unstorable]);
    try {
      await driver.send('in', new Electron({ key: 'a', value: 'fine' }));
      await driver.send('in', new Electron({ key: 'a', value: 'fn' }));
      await driver.drain();
      assert.deepEqual(Object.fromEntries(driver.table('Unstorable', 'things')), { a: 'fine' });
      const [dead] = driver.read('in.dlq');
      assert.equal(String(dead?.headers?.['catenae-error-code'] ?? ''), '', 'internal headers are hidden from electrons');
      assert.equal(driver.broker.topicRecords('in.dlq').length, 1);
    } finally {
      await driver.close();
    }
  });

  it('null and undefined values are refused with CATENAE_ENCODE; keys must be strings or numbers', async () => {
    @Link({ inputs: ['in'] })
    class Strict {
      @Table() t!: KeyedTable<string | number, unknown>;
      errors: string[] = [];
      @Transform()
      handle(electron: Electron<string>) {
        for (const attempt of [() => this.t.set('k', null), () => this.t.set({} as never, 1), () => this.t.set(Number.NaN, 1)]) {
          try {
            attempt();
          } catch (err) {
            this.errors.push((err as { code: string }).code);
          }
        }
        this.t.set(7, electron.value);
        this.t.set('7', 'text');
      }
    }
    const driver = await TestDriver.start([Strict]);
    try {
      await driver.send('in', new Electron({ key: 'x', value: 'number key' }));
      await driver.drain();
      const [handle] = driver.instances('Strict');
      assert.deepEqual((handle!.instance as Strict).errors, [ErrorCode.Encode, ErrorCode.Encode, ErrorCode.Encode]);
      const table = driver.table('Strict', 't');
      assert.equal(table.get(7), 'number key');
      assert.equal(table.get('7'), 'text');
    } finally {
      await driver.close();
    }
  });

  it('an async handler keeps writing to its electron\'s shard across awaits, and is undone when it rejects', async () => {
    @Link({ inputs: ['in'] })
    class Slow {
      @Table() t!: KeyedTable<string, number>;
      @Transform()
      async handle(electron: Electron<string>) {
        await new Promise((resolve) => setImmediate(resolve));
        this.t.set(electron.key!, (this.t.get(electron.key!) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
        if (electron.value === 'fail') throw new Error('late failure');
        this.t.set(`${electron.key}:done`, 1);
      }
    }
    const driver = await TestDriver.start([Slow], { links: { Slow: { onError: 'skip' } } });
    try {
      for (let i = 0; i < 40; i++) await driver.send('in', new Electron({ key: `k${i % 8}`, value: i % 5 === 4 ? 'fail' : 'ok' }));
      await driver.drain();
      const table = driver.table<string, number>('Slow', 't');
      for (let k = 0; k < 8; k++) {
        const oks = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 8 === k && i % 5 !== 4).length;
        assert.equal(table.get(`k${k}`), oks, `k${k}`);
      }
      // Every change sits in the changelog partition of its electron's input partition.
      const inputPartition = new Map(driver.read('in').map((e) => [e.key, e.partition]));
      for (const record of driver.read('catenae_slow.t.changelog')) {
        if ((record.key as string).startsWith('\u0000')) continue;
        assert.equal(record.partition, inputPartition.get((record.key as string).replace(':done', '')));
      }
    } finally {
      await driver.close();
    }
  });

  it('defineLink declares tables reached through ctx.tables', async () => {
    const Tally = defineLink({
      name: 'Tally',
      inputs: ['in'],
      output: 'out',
      tables: { totals: {} },
      transform(electron: Electron<number>, ctx: Context) {
        const totals = ctx.tables.totals as KeyedTable<string, number>;
        const n = (totals.get(electron.key!) ?? 0) + electron.value;
        totals.set(electron.key!, n);
        return n;
      },
    });
    const driver = await TestDriver.start([Tally]);
    try {
      for (const n of [1, 2, 3]) await driver.send('in', new Electron({ key: 'sum', value: n }));
      await driver.drain();
      assert.equal(driver.table('Tally', 'totals').get('sum'), 6);
      assert.deepEqual(driver.read('out').map((e) => e.value), [1, 3, 6]);
    } finally {
      await driver.close();
    }
  });

  it('exactly-once: counts are right and changes commit with the outputs', async () => {
    const driver = await TestDriver.start([Counter], { links: { Counter: { mode: 'exactly-once' } } });
    try {
      for (const word of ['a', 'b', 'a', 'a']) await driver.send('words', keyed(word));
      await driver.drain();
      assert.deepEqual(Object.fromEntries(driver.table('Counter', 'counts')), { a: 3, b: 1 });
      assert.deepEqual(Object.fromEntries(lastByKey(driver, 'catenae_counter.counts.changelog')), { a: 3, b: 1 });
    } finally {
      await driver.close();
    }
  });

  it('refuses inputs of different partition counts, a link with tables but no inputs, and --workers', async () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('four', 4);
    broker.createTopic('eight', 8);
    const transport = new EmbeddedTransportFactory(broker);
    await assert.rejects(startLink(Counter, { transport, inputs: ['four', 'eight'], logLevel: 'silent' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.State);
      assert.match(err.message, /four: 4, eight: 8/);
      return true;
    });
    await assert.rejects(startLink(Counter, { transport, inputs: [], logLevel: 'silent' }), { code: ErrorCode.BadLink });
    await assert.rejects(startLink(Counter, { transport, workers: 2, moduleUrl: import.meta.url, logLevel: 'silent' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.BadFlag);
      assert.match(err.message, /tables \(counts\)/);
      return true;
    });
  });

  it('an RPC by key is answered by the instance that owns the key, with the shard of its partition', async () => {
    const driver = await TestDriver.start([Counter], { instances: { Counter: 3 } });
    try {
      for (let i = 0; i < 120; i++) await driver.send('words', keyed(`k${i % 12}`));
      await driver.drain();
      const answers = await Promise.all(Array.from({ length: 12 }, (_, k) => driver.rpc({ link: 'Counter', key: `k${k}` }, 'count_of', `k${k}`)));
      assert.deepEqual(answers, new Array(12).fill(10));
      // A plain call reaches any one instance, which may not hold the key's shard.
      const anyOne = await Promise.allSettled(Array.from({ length: 12 }, (_, k) => driver.rpc('Counter', 'count_of', `k${k}`)));
      const refused = anyOne.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const { reason } of refused) assert.match((reason as Error).message, /call the owner by key/);
    } finally {
      await driver.close();
    }
  });

  it('a table outside a handler answers for the keys of the shards this instance holds', async () => {
    const driver = await TestDriver.start([Counter]);
    try {
      for (const word of ['p', 'q', 'p']) await driver.send('words', keyed(word));
      await driver.drain();
      assert.equal(await driver.rpc('Counter', 'count_of', 'p'), 2);
      assert.equal(await driver.rpc('Counter', 'count_of', 'never'), 0);
    } finally {
      await driver.close();
    }
  });
});
