import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, TestDriver } from '@catenae/core';
import { Controller, parseControllerArgs } from './controller.js';
import { Worker, type WorkerState } from './worker.js';

const quietWorker = { Worker: { args: ['--quiet'] } };

/** Polls `check` until it holds or `timeoutMs` passed. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('listen makes the worker read a topic, with what waited there; ignore stops it, and a later listen goes on where it stopped', async () => {
  const driver = await TestDriver.start([Worker], { links: quietWorker });
  try {
    const state = () => driver.rpc('Worker', 'state') as Promise<WorkerState>;
    await driver.send('topic_a', 'a1');
    await driver.send('topic_b', 'b1');
    await driver.drain();
    assert.deepEqual((await state()).inputs, ['topic_a']);
    assert.deepEqual((await state()).handled, { topic_a: 1 }, 'topic_b is not read');

    assert.deepEqual(await driver.rpc('Worker', 'listen', 'topic_b'), ['topic_a', 'topic_b']);
    await driver.send('topic_b', 'b2');
    await driver.drain();
    assert.deepEqual((await state()).handled, { topic_a: 1, topic_b: 2 }, 'b1, written before, and b2');

    assert.deepEqual(await driver.rpc('Worker', 'ignore', 'topic_b'), ['topic_a']);
    await driver.send('topic_b', 'b3');
    await driver.send('topic_a', 'a2');
    await driver.drain();
    assert.deepEqual((await state()).handled, { topic_a: 2, topic_b: 2 }, 'b3 waits');
    assert.equal(driver.broker.lag('catenae_worker', 'topic_b'), 1);

    await driver.rpc('Worker', 'listen', 'topic_b');
    await driver.drain();
    assert.deepEqual((await state()).handled, { topic_a: 2, topic_b: 3 }, 'b3, once');
  } finally {
    await driver.close();
  }
});

test('a call with something that is not a topic name gets an error reply, and the worker goes on', async () => {
  const driver = await TestDriver.start([Worker], { links: { Worker: { args: ['--quiet'], logLevel: 'silent' } } });
  try {
    await assert.rejects(driver.rpc('Worker', 'listen', 42), { code: ErrorCode.RpcFailed, message: /listen takes a topic name, got 42/ });
    await assert.rejects(driver.rpc('Worker', 'handle', 'topic_b'), { code: ErrorCode.RpcUnknownMethod });
    assert.deepEqual(((await driver.rpc('Worker', 'state')) as WorkerState).inputs, ['topic_a']);
  } finally {
    await driver.close();
  }
});

test('the controller calls listen and state on the worker and keeps the answers', async () => {
  const driver = await TestDriver.start([Worker, Controller], {
    links: { ...quietWorker, Controller: { args: ['--quiet', 'listen', 'topic_b', 'state'] } },
  });
  try {
    await driver.drain();
    const controller = driver.instances('Controller')[0]!;
    const exit = await controller.done;
    assert.equal(exit.ok, true, exit.reason);
    const worker = driver.instances('Worker')[0]!;
    const results = (controller.instance as Controller).results;
    assert.equal(results[0], 'listen topic_b: inputs ["topic_a","topic_b"]');
    assert.deepEqual(JSON.parse(results[1]!.replace(/^state: /, '')), { uid: worker.uid, inputs: ['topic_a', 'topic_b'], handled: {} });
    assert.deepEqual(worker.inputs, ['topic_a', 'topic_b']);
  } finally {
    await driver.close();
  }
});

test('with --all, listen reaches every instance of the worker', async () => {
  const driver = await TestDriver.start([Worker, Controller], {
    instances: { Worker: 3 },
    links: { ...quietWorker, Controller: { args: ['--quiet', '--all', 'listen', 'topic_b'] } },
  });
  try {
    const workers = driver.instances('Worker');
    await until(() => workers.every((w) => w.inputs.includes('topic_b')), 5000, 'every worker to read topic_b');
    assert.deepEqual((driver.instances('Controller')[0]!.instance as Controller).results, ['listen topic_b: notified every instance of Worker']);
  } finally {
    await driver.close();
  }
});

test('announce is broadcast to every instance of every link that has the method', async () => {
  const driver = await TestDriver.start([Worker, Controller], {
    instances: { Worker: 2 },
    links: { ...quietWorker, Controller: { args: ['--quiet', 'announce', 'maintenance at noon'] } },
  });
  try {
    const workers = driver.instances('Worker').map((handle) => handle.instance as Worker);
    await until(() => workers.every((w) => w.announcements.length === 1), 5000, 'the announcement at both workers');
    const controllerUid = driver.instances('Controller')[0]!.uid;
    for (const worker of workers) assert.deepEqual(worker.announcements, [`announcement from Controller(${controllerUid}): maintenance at noon`]);
  } finally {
    await driver.close();
  }
});

test('the controller\'s arguments: commands in order, --to and --all, and clear errors', () => {
  assert.deepEqual(parseControllerArgs(['listen', 'topic_b', 'state', 'ignore', 'topic_b', 'announce', 'hi']), {
    to: 'Worker',
    all: false,
    quiet: false,
    commands: [{ name: 'listen', topic: 'topic_b' }, { name: 'state' }, { name: 'ignore', topic: 'topic_b' }, { name: 'announce', message: 'hi' }],
  });
  assert.equal(parseControllerArgs(['--to', '0123456789ab', 'state']).to, '0123456789ab');
  assert.equal(parseControllerArgs(['--all', 'ignore', 'x']).all, true);
  assert.throws(() => parseControllerArgs([]), /nothing to do; commands: listen <topic>/);
  assert.throws(() => parseControllerArgs(['listen']), /listen needs a topic/);
  assert.throws(() => parseControllerArgs(['shout', 'x']), /unknown command "shout"/);
});
