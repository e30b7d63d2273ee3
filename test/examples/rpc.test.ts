// examples/rpc as its README runs it, on the real broker (KAFKA_BOOTSTRAP): a Worker reading topic_a,
// the Sender writing to topic_a and topic_b, and the Controller changing the Worker's inputs over RPC,
// all `catenae run` processes. The Worker gets a uid, group and topics of its own, and the Controller
// addresses it by that uid, so parallel runs never reach each other's workers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { ExitCode } from '@catenae/core';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { runExample, stopAll } from './example-process.js';

const running: CatenaeProcess[] = [];
afterEach(() => stopAll(running));

/** `catenae run sender.js -o <topic> -- <values...>`, awaited. */
async function send(topic: string, ...values: string[]): Promise<void> {
  const sender = runExample(running, 'rpc/sender.js', ['-o', topic, '--', ...values]);
  assert.equal(await sender.exited, 0, sender.stderr.join('\n'));
}

/** `catenae run controller.js -- --to <uid> <commands...>`, awaited; its printed lines. */
async function control(uid: string, ...commands: string[]): Promise<string[]> {
  const controller = runExample(running, 'rpc/controller.js', ['--', '--to', uid, ...commands]);
  assert.equal(await controller.exited, 0, controller.stderr.join('\n'));
  return controller.stdout;
}

describe('examples/rpc on Kafka', { timeout: 60_000 }, () => {
  it('the controller makes a running worker listen to a topic and ignore it again; state and announce reach it', async () => {
    const a = uniqueTopic('topic_a');
    const b = uniqueTopic('topic_b');
    const uid = randomBytes(6).toString('hex');
    const handled = (topic: string, value: string) => `handled ${topic}: ${value}`;
    const worker = runExample(running, 'rpc/worker.js', ['-i', a, '-g', uniqueTopic('workers'), '--uid', uid]);
    await worker.waitFor((line) => line.includes(' assigned '), 30_000, 'the worker\'s assignment');

    await send(a, 'a1');
    await send(b, 'b1');
    await worker.waitFor((line) => line === handled(a, 'a1'), 20_000, 'a1');
    const [state] = await control(uid, 'state');
    assert.deepEqual(JSON.parse(state!.replace(/^state: /, '')), { uid, inputs: [a], handled: { [a]: 1 } }, 'b1 waits: topic_b is not an input');

    assert.deepEqual(await control(uid, 'listen', b), [`listen ${b}: inputs ${JSON.stringify([a, b])}`]);
    await send(b, 'b2');
    await worker.waitFor((line) => line === handled(b, 'b2'), 20_000, 'b2');
    await worker.waitFor((line) => line === handled(b, 'b1'), 20_000, 'b1, which waited on topic_b');

    assert.deepEqual(await control(uid, 'ignore', b), [`ignore ${b}: inputs ${JSON.stringify([a])}`]);
    await send(b, 'b3');
    await send(a, 'a2');
    await worker.waitFor((line) => line === handled(a, 'a2'), 20_000, 'a2');
    assert.ok(!worker.stdout.includes(handled(b, 'b3')), 'b3, written after ignore, waits');

    const announcement = `maintenance at noon (${uid})`;
    assert.deepEqual(await control(uid, 'listen', b, 'announce', announcement), [`listen ${b}: inputs ${JSON.stringify([a, b])}`, 'announce: sent to every link']);
    await worker.waitFor((line) => line === handled(b, 'b3'), 20_000, 'b3, from where the group stopped');
    await worker.waitFor((line) => line.startsWith('announcement from Controller(') && line.endsWith(`): ${announcement}`), 20_000, 'the announcement');
    const handledLines = worker.stdout.filter((line) => line.startsWith('handled '));
    assert.deepEqual(handledLines.sort(), [handled(a, 'a1'), handled(a, 'a2'), handled(b, 'b1'), handled(b, 'b2'), handled(b, 'b3')].sort(), 'each message once');
    assert.equal(await worker.stop(), 0);
  });

  it('a call to a worker that does not run stops the controller non-zero, naming the command', async () => {
    const controller = runExample(running, 'rpc/controller.js', ['--', '--to', randomBytes(6).toString('hex'), 'state']);
    assert.equal(await controller.exited, ExitCode.Stopped, 'it stopped itself with ctx.stop(reason)');
    assert.ok(controller.stderr.some((line) => /^catenae: state failed: no reply from [0-9a-f]{12}\.state within 10000 ms/.test(line)), controller.stderr.join('\n'));
  });
});
