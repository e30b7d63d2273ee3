import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineLink, ErrorCode, startLink, type LinkHandle } from '@catenae/core';
import '@catenae/kafka';
import { CatenaeProcess, KAFKA, uniqueTopic } from '../support/catenae-process.js';
import { producePlain } from '../support/plain-kafka.js';

const suffix = Math.random().toString(36).slice(2, 8);
const uids = [`w1-${suffix}`, `w2-${suffix}`];
const otherUid = `o1-${suffix}`;
const input = uniqueTopic('rpc_backlog');
const processes: CatenaeProcess[] = [];
let caller: LinkHandle;

function lines(process: CatenaeProcess, fragment: string): number {
  return process.stdout.filter((line) => line.includes(fragment)).length;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RPC between link processes on a real broker', { timeout: 180_000 }, () => {
  before(async () => {
    for (const uid of uids) processes.push(CatenaeProcess.run('rpc-worker', ['-i', input, '--seq', '--uid', uid]));
    processes.push(CatenaeProcess.run('rpc-other', ['--uid', otherUid]));
    await Promise.all(processes.map((p) => p.waitFor((line) => line.includes(' started on Kafka at '), 60_000, 'the link to start')));
    caller = await startLink(defineLink({ name: 'RpcCaller' }), { kafka: KAFKA, logLevel: 'warn' });
  });
  after(async () => {
    await caller?.stop();
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('notify by uid reaches that instance only; by link every instance; broadcast every link', async () => {
    await caller.ctx.rpc.notify({ uid: uids[0]! }, 'hello', { from: 'uid' });
    await until(() => lines(processes[0]!, 'hello uid') === 1, 'the uid notification');
    await caller.ctx.rpc.notify('RpcWorker', 'hello', { from: 'link' });
    await until(() => processes.slice(0, 2).every((p) => lines(p, 'hello link') === 1), 'the link notification on both instances');
    await caller.ctx.rpc.notify('broadcast', 'hello', { from: 'all' });
    await until(() => processes.every((p) => lines(p, 'hello all') === 1), 'the broadcast everywhere');
    assert.equal(lines(processes[1]!, 'hello uid'), 0, 'the other instance did not get the uid notification');
    assert.equal(lines(processes[2]!, 'hello link'), 0, 'another link did not get the link notification');
    assert.ok(processes[0]!.stdout.some((line) => line.endsWith('caller=RpcCaller')), 'the method sees its caller');
  });

  it('a call by link is answered by one instance, with the remote result', async () => {
    const before = processes.slice(0, 2).reduce((n, p) => n + lines(p, 'hello call'), 0);
    const reply = await caller.ctx.rpc.call<{ uid: string }>('RpcWorker', 'hello', { from: 'call' }, { timeoutMs: 10_000 });
    assert.ok(uids.includes(reply.uid));
    await until(() => processes.slice(0, 2).reduce((n, p) => n + lines(p, 'hello call'), 0) === before + 1, 'exactly one instance to run the call');
  });

  it('a thrown error, an unknown method and a missing reply come back as rejections', async () => {
    await assert.rejects(caller.ctx.rpc.call('RpcWorker', 'fail'), (err: Error & { code?: string }) => err.code === ErrorCode.RpcFailed && /worker refused/.test(err.message));
    await assert.rejects(caller.ctx.rpc.call('RpcWorker', 'work'), { code: ErrorCode.RpcUnknownMethod });
    await assert.rejects(caller.ctx.rpc.call('RpcWorker', 'slow', undefined, { timeoutMs: 300 }), { code: ErrorCode.RpcTimeout });
  });

  it('a malformed message written by hand gets a log line and the link keeps answering', async () => {
    await producePlain(`catenae.rpc.instance.${uids[1]}`, [{ value: 'this is not an rpc message' }]);
    await processes[1]!.waitFor((line) => line.includes('malformed RPC message'), 30_000, 'the warning');
    const reply = await caller.ctx.rpc.call<{ uid: string }>({ uid: uids[1]! }, 'hello', { from: 'after' });
    assert.equal(reply.uid, uids[1]);
  });

  it('a call is answered while a backlog waits, never during a transform in --seq', async () => {
    await producePlain(input, Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: String(i) })));
    const started = Date.now();
    const reply = await caller.ctx.rpc.call<{ overlapped: boolean; handled: number }>({ uid: uids[0]! }, 'hello', { from: 'busy' }, { timeoutMs: 10_000 });
    assert.equal(reply.overlapped, false, 'the RPC ran between two transforms');
    assert.ok(reply.handled < 300, `answered with ${reply.handled} of the backlog handled, after ${Date.now() - started} ms`);
  });
});
