import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Electron, TestDriver, type StartOptions } from '../../index.js';
import { KeyedLink } from './fixtures/keyed-link.js';

const moduleUrl = new URL('./fixtures/keyed-link.js', import.meta.url).href;
const KEYS = 10;
const PER_KEY = 40;

async function withDriver<T>(options: StartOptions, body: (driver: TestDriver) => Promise<T>): Promise<T> {
  const driver = await TestDriver.start([KeyedLink], { links: { KeyedLink: options } });
  try {
    return await body(driver);
  } finally {
    await driver.close();
  }
}

/** Sends PER_KEY electrons to each of KEYS keys, interleaved, and returns what came out of the handler. */
async function runKeyed(options: StartOptions): Promise<Electron<string>[]> {
  return withDriver(options, async (driver) => {
    for (let i = 0; i < PER_KEY; i++) {
      for (let k = 0; k < KEYS; k++) await driver.send('keyed_in', new Electron({ key: `k${k}`, value: `k${k}-${i}` }));
    }
    await driver.drain();
    return driver.read<string>('keyed_out');
  });
}

function byKey(outputs: Electron<string>[]): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const { key, value } of outputs) {
    if (!keys.has(key!)) keys.set(key!, []);
    keys.get(key!)!.push(value);
  }
  return keys;
}

describe('workers: handlers in worker threads', () => {
  it('keeps per-key order, loses nothing, and emits what the main thread would', async () => {
    const withWorkers = await runKeyed({ workers: 2, moduleUrl });
    const withoutWorkers = await runKeyed({});
    assert.equal(withWorkers.length, KEYS * PER_KEY);
    const keys = byKey(withWorkers);
    for (let k = 0; k < KEYS; k++) {
      assert.deepEqual(keys.get(`k${k}`), Array.from({ length: PER_KEY }, (_, i) => `k${k}-${i}!`), `key k${k} in order`);
    }
    assert.deepEqual(keys, byKey(withoutWorkers));
    const threads = new Set(withWorkers.map((electron) => String(electron.headers?.thread)));
    assert.equal(threads.has('0'), false, 'no electron was handled by the main thread');
    assert.equal(threads.size, 2, 'both workers handled electrons');
    assert.deepEqual(new Set(withoutWorkers.map((electron) => String(electron.headers?.thread))), new Set(['0']));
  });

  it('emits ctx.send outputs, then generator items, like the main thread; async generators too', async () => {
    const run = (options: StartOptions) =>
      withDriver(options, async (driver) => {
        await driver.send('keyed_gen', new Electron({ key: 'g', value: 'x' }));
        await driver.send('keyed_agen', new Electron({ key: 'n', value: 3 }));
        await driver.drain();
        const read = (topic: string) => driver.read(topic).map((electron) => [electron.key, electron.value]);
        return { out: read('keyed_out'), side: read('keyed_side') };
      });
    const withWorkers = await run({ workers: 2, moduleUrl });
    const sort = (pairs: unknown[][]) => [...pairs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepEqual(sort(withWorkers.out), sort([[null, 'x:s1'], [null, 'x:s2'], [null, 'x:a'], [null, 0], [null, 1], [null, 2]]));
    assert.deepEqual(sort(withWorkers.side), sort([[null, 'x:sent'], ['g', 'x:b']]));
    const withoutWorkers = await run({});
    assert.deepEqual(sort(withWorkers.out), sort(withoutWorkers.out));
    assert.deepEqual(sort(withWorkers.side), sort(withoutWorkers.side));
  });

  it('hands values across threads as the transparent codec would: Buffers stay Buffers', async () => {
    await withDriver({ workers: 1, moduleUrl }, async (driver) => {
      await driver.send('keyed_types', new Electron({ value: { nested: { buf: Buffer.from('in') } }, headers: { bin: Buffer.from([1, 2]) } }));
      await driver.send('keyed_types', Buffer.from('raw'));
      await driver.send('keyed_bytes', 'abc');
      await driver.drain();
      // Found by content: keyless inputs land on random partitions, so the outputs' order varies.
      const values = driver.read<any>('keyed_out').map((electron) => electron.value);
      assert.equal(values.length, 3);
      const bytes = values.find((value) => Buffer.isBuffer(value));
      const nested = values.find((value) => !Buffer.isBuffer(value) && value.inputIsBuffer === false);
      const raw = values.find((value) => !Buffer.isBuffer(value) && value.inputIsBuffer === true);
      assert.deepEqual(
        { input: nested.inputIsBuffer, header: nested.headerIsBuffer, nested: nested.nestedIsBuffer },
        { input: false, header: true, nested: true },
      );
      assert.equal(raw.inputIsBuffer, true);
      assert.ok(Buffer.isBuffer(nested.out.buf));
      assert.deepEqual(nested.out.map, new Map([['a', 1n]]));
      assert.deepEqual(nested.out.when, new Date(0));
      assert.ok(Buffer.isBuffer(bytes), 'a returned Buffer goes out as raw bytes');
      assert.equal(bytes.toString(), 'abc');
    });
  });

  it('lets a worker await the acknowledgement of a sync send (the module given as a path)', async () => {
    await withDriver({ workers: 1, moduleUrl: fileURLToPath(moduleUrl) }, async (driver) => {
      await driver.send('keyed_sync', 'v');
      await driver.drain();
      assert.deepEqual(driver.read('keyed_out').map((electron) => electron.value), ['v:true']);
      assert.deepEqual(driver.read('keyed_side').map((electron) => electron.value), ['v:acked']);
    });
  });
});
