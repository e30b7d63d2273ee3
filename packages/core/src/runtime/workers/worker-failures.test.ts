import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Electron, ErrorCode, TestDriver, registerStoreConnector, startLink, type Store, type StartOptions } from '../../index.js';
import { FaultyLink } from './fixtures/faulty-link.js';
import { SelfStarting } from './fixtures/self-starting-link.js';

const moduleUrl = new URL('./fixtures/faulty-link.js', import.meta.url).href;
const quiet: StartOptions = { logLevel: 'silent', retryBackoffMs: 5 };

/** The dead letters of `faulty_in`, raw: their value and their `catenae-*` headers. */
function deadLetters(driver: TestDriver): { value: string; headers: Record<string, string> }[] {
  return driver.broker.topicRecords('faulty_in.dlq').map((record) => {
    const headers: Record<string, string> = {};
    for (const header of record.headers ?? []) for (const [name, value] of Object.entries(header)) headers[name] = String(value);
    return { value: String(record.value), headers };
  });
}

async function withDriver<T>(options: StartOptions, body: (driver: TestDriver) => Promise<T>): Promise<T> {
  const driver = await TestDriver.start([FaultyLink], { links: { FaultyLink: { ...quiet, ...options } } });
  try {
    return await body(driver);
  } finally {
    await driver.close();
  }
}

describe('workers: failures', () => {
  it('replaces a worker that exits or crashes, and runs its electrons again: each comes out once, keys in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catenae-workers-'));
    const values: string[] = [];
    for (let i = 0; i < 120; i++) values.push(i === 10 ? 'exit:a' : i === 40 ? 'crash:b' : i === 70 ? 'exit:c' : `v:${i}`);
    await withDriver({ workers: 2, moduleUrl, args: [dir] }, async (driver) => {
      for (const [i, value] of values.entries()) await driver.send('faulty_in', new Electron({ key: `k${i % 4}`, value }));
      await driver.drain();
      const outputs = driver.read<string>('faulty_out');
      assert.deepEqual(outputs.map((electron) => electron.value).sort(), values.map((value) => `${value}:ok`).sort());
      for (let k = 0; k < 4; k++) {
        const expected = values.filter((_, i) => i % 4 === k).map((value) => `${value}:ok`);
        assert.deepEqual(outputs.filter((electron) => electron.key === `k${k}`).map((electron) => electron.value), expected);
      }
      assert.deepEqual(readdirSync(dir).sort(), ['crash-b', 'exit-a', 'exit-c'], 'three workers died');
      assert.equal(driver.read('faulty_in.dlq').length, 0);
    });
  });

  it('retries a handler that throws in a worker, then dead-letters it with the error', async () => {
    await withDriver({ workers: 2, moduleUrl }, async (driver) => {
      await driver.send('faulty_in', 'throw:1');
      await driver.send('faulty_in', 'v:2');
      await driver.drain();
      assert.deepEqual(driver.read('faulty_out').map((electron) => electron.value), ['v:2:ok']);
      const [dead, ...more] = deadLetters(driver);
      assert.equal(more.length, 0);
      assert.equal(dead!.value, 'throw:1');
      assert.equal(dead!.headers['catenae-error'], 'Error: bad value 1');
      assert.equal(dead!.headers['catenae-error-code'], ErrorCode.Handler);
    });
  });

  it('refuses ctx.rpc, ctx.loop and configured stores in a worker with CATENAE_BAD_LINK', async () => {
    registerStoreConnector('mongodb', async () => ({ close: async () => undefined }) as unknown as Store);
    await withDriver({ workers: 1, moduleUrl, mongodb: 'localhost:27017', onError: 'skip' }, async (driver) => {
      for (const value of ['rpc', 'loop', 'mongodb']) await driver.send('faulty_in', value);
      await driver.drain();
      assert.deepEqual(driver.read('faulty_out'), []);
    });
    await withDriver({ workers: 1, moduleUrl, mongodb: 'localhost:27017', retries: 0 }, async (driver) => {
      for (const value of ['rpc', 'loop', 'mongodb']) await driver.send('faulty_in', value);
      await driver.drain();
      const dead = deadLetters(driver);
      assert.deepEqual(dead.map((letter) => letter.value).sort(), ['loop', 'mongodb', 'rpc']);
      for (const { headers } of dead) {
        assert.equal(headers['catenae-error-code'], ErrorCode.BadLink);
        assert.match(headers['catenae-error']!, /^CatenaeError: ctx\.\w+ is not available in a worker thread/);
      }
    });
  });

  it('fails to start when setup throws in a worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catenae-workers-'));
    await assert.rejects(
      TestDriver.start([FaultyLink], { links: { FaultyLink: { ...quiet, workers: 2, moduleUrl, args: [dir, 'fail-setup'] } } }),
      /setup refused in the worker/,
    );
    await assert.rejects(TestDriver.start([FaultyLink], { links: { FaultyLink: { ...quiet, workers: 2, moduleUrl, args: [dir, 'fail-setup'] } } }), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.Setup);
      assert.match(err.message, /^link FaultyLink: setup\(\) failed: Error: setup refused in the worker/);
      assert.match(String(err.stack), /\n\[cause\] Error: setup refused in the worker\n\s+at /, "the worker's own stack crosses the thread");
      return true;
    });
  });

  it('needs the module of the link: CATENAE_BAD_FLAG without it, CATENAE_NO_LINK when it does not export the link', async () => {
    await assert.rejects(startLink(FaultyLink, { ...quiet, workers: 2 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.BadFlag);
      assert.match(err.message, /moduleUrl: import\.meta\.url/);
      return true;
    });
    const other = new URL('./fixtures/keyed-link.js', import.meta.url);
    await assert.rejects(TestDriver.start([FaultyLink], { links: { FaultyLink: { ...quiet, workers: 1, moduleUrl: other } } }), {
      code: ErrorCode.NoLink,
      message: /exports no link named "FaultyLink"/,
    });
  });

  it('refuses a module that starts its link when a worker imports it', async () => {
    const selfUrl = new URL('./fixtures/self-starting-link.js', import.meta.url);
    await assert.rejects(TestDriver.start([SelfStarting], { links: { SelfStarting: { ...quiet, workers: 1, moduleUrl: selfUrl } } }), {
      code: ErrorCode.NoLink,
      message: /startLink ran in a worker thread/,
    });
  });
});
