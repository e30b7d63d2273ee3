import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { TestDriver, type StartOptions } from '../../index.js';
import { LifecycleLink } from './fixtures/lifecycle-link.js';

const moduleUrl = new URL('./fixtures/lifecycle-link.js', import.meta.url).href;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(2);
  }
}

function start(dir: string, options: StartOptions = {}): Promise<TestDriver> {
  return TestDriver.start([LifecycleLink], { links: { LifecycleLink: { workers: 2, moduleUrl, args: [dir], ...options } } });
}

describe('workers: lifecycle', () => {
  it('runs setup in the main thread and in each worker, handlers where their setup ran, finish in each at stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catenae-workers-'));
    const driver = await start(dir);
    let outputs: { thread: number; setupThread: number }[];
    try {
      const setups = readdirSync(dir).filter((name) => name.startsWith('setup-'));
      assert.equal(setups.length, 3, 'main thread and two workers');
      assert.ok(setups.includes('setup-0'));
      for (let i = 0; i < 20; i++) await driver.send('life_in', '1');
      await driver.drain();
      outputs = driver.read<{ thread: number; setupThread: number }>('life_out').map((electron) => electron.value);
      assert.equal(outputs.length, 20);
      assert.equal(readdirSync(dir).filter((name) => name.startsWith('finish-')).length, 0);
    } finally {
      await driver.close();
    }
    for (const { thread, setupThread } of outputs) {
      assert.notEqual(thread, 0);
      assert.equal(thread, setupThread, 'the instance that handles ran its own setup');
    }
    const workerThreads = [...new Set(outputs.map((output) => output.thread))].sort();
    assert.equal(workerThreads.length, 2);
    const finishes = readdirSync(dir).filter((name) => name.startsWith('finish-')).sort();
    assert.deepEqual(finishes, ['finish-0', ...workerThreads.map((thread) => `finish-${thread}`)].sort());
  });

  it('answers RPC from the main thread instance while the workers are busy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catenae-workers-'));
    const driver = await start(dir);
    try {
      const [handle] = driver.instances('LifecycleLink');
      for (let i = 0; i < 12; i++) await driver.send('life_in', '150');
      await waitFor(() => !handle!.isIdle(), 'the link to be busy');
      const reply = await driver.rpc('LifecycleLink', 'ping', {});
      assert.equal(handle!.isIdle(), false, 'the answer came while electrons were in the workers');
      assert.deepEqual(reply, { isMainThread: true, handled: 0 }, "the main thread's instance has its own state");
      await driver.drain();
      assert.equal(driver.read('life_out').length, 12);
    } finally {
      await driver.close();
    }
  });

  it('stops the link when a worker calls ctx.stop(reason)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catenae-workers-'));
    const driver = await start(dir, { logLevel: 'silent' });
    try {
      const [handle] = driver.instances('LifecycleLink');
      await driver.send('life_in', 'stop');
      const exit = await handle!.done;
      assert.equal(exit.ok, false);
      assert.equal(exit.reason, 'asked to stop by an electron');
    } finally {
      await driver.close();
    }
    assert.equal(readdirSync(dir).filter((name) => name.startsWith('finish-')).length, 3);
  });
});
