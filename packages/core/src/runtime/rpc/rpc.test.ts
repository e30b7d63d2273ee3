import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Electron } from '../../electron.js';
import { ErrorCode } from '../../errors.js';
import { Link } from '../../decorators/link.js';
import { Rpc } from '../../decorators/rpc.js';
import { Transform } from '../../decorators/transform.js';
import { TestDriver } from '../../testing/test-driver.js';
import type { Context } from '../context.js';
import { instanceTopic } from './rpc-topics.js';
import { until } from '../../testing/fixtures/until.js';

const calls: { uid: string; method: string; args: unknown; caller: string | undefined }[] = [];

@Link({ inputs: ['rpc_work'] })
class Worker {
  count = 0;
  @Transform()
  work(electron: Electron<number>): void {
    this.count += electron.value;
  }
  @Rpc()
  hello(args: { name: string }, ctx: Context) {
    calls.push({ uid: ctx.uid, method: 'hello', args, caller: ctx.caller?.link });
    return `hello ${args.name} from ${ctx.linkName}`;
  }
  @Rpc()
  async total() {
    return this.count;
  }
  @Rpc()
  fail() {
    throw new Error('it broke');
  }
  @Rpc()
  slow() {
    return new Promise((resolve) => setTimeout(() => resolve('late'), 500));
  }
  @Rpc()
  async read(topic: string, ctx: Context) {
    await ctx.addInput(topic);
    return ctx.inputs;
  }
  notRpc() {
    return 'secret';
  }
}

@Link()
class Other {
  @Rpc()
  hello(args: unknown, ctx: Context) {
    calls.push({ uid: ctx.uid, method: 'hello', args, caller: ctx.caller?.link });
  }
}

describe('RPC between links', () => {
  it('call returns the remote result and names the caller', async () => {
    const driver = await TestDriver.start([Worker]);
    try {
      assert.equal(await driver.rpc('Worker', 'hello', { name: 'ada' }), 'hello ada from Worker');
      assert.equal(calls.at(-1)!.caller, 'TestDriver');
    } finally {
      await driver.close();
    }
  });

  it('notify to a link reaches every instance; to a uid only that one; broadcast every link', async () => {
    const driver = await TestDriver.start([Worker, Other], { instances: { Worker: 3 } });
    try {
      calls.length = 0;
      await driver.notify('Worker', 'hello', { name: 'all' });
      await until(() => calls.length === 3, 'three notifications');
      assert.deepEqual(new Set(calls.map((c) => c.uid)), new Set(driver.instances('Worker').map((h) => h.uid)));
      calls.length = 0;
      const one = driver.instances('Worker')[1]!.uid;
      await driver.notify({ uid: one }, 'hello', { name: 'one' });
      await until(() => calls.length === 1, 'one notification');
      assert.equal(calls[0]!.uid, one);
      calls.length = 0;
      await driver.notify('broadcast', 'hello', { name: 'everyone' });
      await until(() => calls.length === 4, 'four notifications');
      assert.equal(new Set(calls.map((c) => c.uid)).size, 4);
    } finally {
      await driver.close();
    }
  });

  it('a call by link is answered by exactly one instance', async () => {
    const driver = await TestDriver.start([Worker], { instances: { Worker: 3 } });
    try {
      calls.length = 0;
      for (let i = 0; i < 6; i++) await driver.rpc('Worker', 'hello', { name: String(i) });
      assert.equal(calls.length, 6);
    } finally {
      await driver.close();
    }
  });

  it('a thrown error comes back as a rejection with the remote message; unknown and non-@Rpc methods are refused', async () => {
    const driver = await TestDriver.start([Worker]);
    try {
      await assert.rejects(driver.rpc('Worker', 'fail'), (err: Error & { code?: string }) => err.code === ErrorCode.RpcFailed && /it broke/.test(err.message));
      await assert.rejects(driver.rpc('Worker', 'notRpc'), { code: ErrorCode.RpcUnknownMethod });
      await assert.rejects(driver.rpc('Worker', 'nope'), { code: ErrorCode.RpcUnknownMethod });
      assert.equal(await driver.rpc('Worker', 'hello', { name: 'still alive' }), 'hello still alive from Worker');
    } finally {
      await driver.close();
    }
  });

  it('no answer in time rejects with a timeout', async () => {
    const driver = await TestDriver.start([Worker]);
    try {
      await assert.rejects(driver.rpc('Worker', 'slow', undefined, { timeoutMs: 50 }), { code: ErrorCode.RpcTimeout });
    } finally {
      await driver.close();
    }
  });

  it('a malformed message written by hand is answered with an error and the link keeps running', async () => {
    const driver = await TestDriver.start([Worker]);
    try {
      const uid = driver.instances('Worker')[0]!.uid;
      await driver.send(instanceTopic(uid), 'not an rpc message');
      await driver.send(instanceTopic(uid), { kind: 'request', from: { uid: 'x', link: 'Hand' } });
      await driver.send(instanceTopic(uid), new Electron({ value: Buffer.from([1, 2, 3]) }));
      assert.equal(await driver.rpc('Worker', 'hello', { name: 'after' }), 'hello after from Worker');
    } finally {
      await driver.close();
    }
  });

  it('a link starts reading a topic when another link asks it to', async () => {
    const driver = await TestDriver.start([Worker]);
    try {
      assert.deepEqual(await driver.rpc('Worker', 'read', 'extra_numbers'), ['rpc_work', 'extra_numbers']);
      await driver.send('extra_numbers', 5);
      await driver.drain();
      assert.equal(await driver.rpc('Worker', 'total'), 5);
    } finally {
      await driver.close();
    }
  });

  it('the typed proxy calls methods by name', async () => {
    @Link()
    class Caller {
      @Rpc()
      async ask(_: unknown, ctx: Context) {
        return ctx.rpc.to<Worker>('Worker').hello({ name: 'proxy' });
      }
    }
    const driver = await TestDriver.start([Worker, Caller]);
    try {
      assert.equal(await driver.rpc('Caller', 'ask'), 'hello proxy from Worker');
      assert.equal(calls.at(-1)!.caller, 'Caller');
    } finally {
      await driver.close();
    }
  });
});
