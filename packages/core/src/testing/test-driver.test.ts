import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CODEC_HEADER, Electron, ErrorCode, Link, Rpc, TestDriver, Transform, type Context } from '../index.js';

/** Sets (or, with undefined, deletes) environment variables and returns a function restoring them. */
function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (vars: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  return () => apply(saved);
}

@Link({ output: 'driver_out' })
class Echo {
  total = 0;

  @Transform('driver_in')
  handle(electron: Electron<number>) {
    this.total += electron.value;
    return electron;
  }

  @Rpc()
  async add(args: { n: number }, ctx: Context) {
    this.total += args.n;
    return { total: this.total, by: ctx.linkName };
  }

  notCallable() {
    return 'secret';
  }
}

describe('TestDriver', () => {
  it('read returns decoded electrons with their topic, key, value, headers, timestamp and position', async () => {
    const driver = await TestDriver.start([Echo]);
    try {
      await driver.send('driver_in', new Electron({ key: 'k', value: 5, headers: { h: 'v' }, timestamp: 1_700_000_000_000 }));
      await driver.drain();
      const [out] = driver.read<number>('driver_out');
      assert.ok(out);
      assert.equal(out.topic, 'driver_out');
      assert.equal(out.key, 'k');
      assert.equal(out.value, 5);
      assert.equal(String(out.headers?.h), 'v');
      assert.equal(out.timestamp, 1_700_000_000_000);
      assert.equal(typeof out.partition, 'number');
      assert.equal(out.offset, 0);
      assert.deepEqual(driver.read('never_written'), []);
    } finally {
      await driver.close();
    }
  });

  it('send writes as an outside producer would: strings raw without a codec header', async () => {
    const driver = await TestDriver.start([Echo]);
    try {
      await driver.send('raw_topic', 'plain text');
      const [record] = driver.broker.topicRecords('raw_topic');
      assert.equal(record?.value?.toString('utf8'), 'plain text');
      assert.ok(!(record?.headers ?? []).some((h) => CODEC_HEADER in h));
    } finally {
      await driver.close();
    }
  });

  it('rpc calls an @Rpc method with its args and the context, and returns its result', async () => {
    const driver = await TestDriver.start([Echo]);
    try {
      await driver.send('driver_in', 2);
      await driver.drain();
      assert.deepEqual(await driver.rpc('Echo', 'add', { n: 3 }), { total: 5, by: 'Echo' });
    } finally {
      await driver.close();
    }
  });

  it('rpc refuses a method not marked @Rpc and an unknown link with CATENAE_RPC_UNKNOWN_METHOD', async () => {
    const driver = await TestDriver.start([Echo]);
    try {
      await assert.rejects(driver.rpc('Echo', 'notCallable', {}), { code: ErrorCode.RpcUnknownMethod });
      await assert.rejects(driver.rpc('Echo', 'handle', {}), { code: ErrorCode.RpcUnknownMethod });
      await assert.rejects(driver.rpc('Nobody', 'add', {}), { code: ErrorCode.RpcUnknownMethod });
    } finally {
      await driver.close();
    }
  });

  it('drain fails with CATENAE_CLOSED when a link never settles', async () => {
    let release: () => void = () => undefined;
    @Link()
    class Stuck {
      @Transform('stuck_in')
      handle() {
        return new Promise<void>((resolve) => (release = resolve));
      }
    }
    const driver = await TestDriver.start([Stuck]);
    try {
      await driver.send('stuck_in', 'x');
      await assert.rejects(driver.drain(50), { code: ErrorCode.Closed });
      release();
      await driver.drain();
    } finally {
      await driver.close();
    }
  });

  it('after close, send, drain and rpc fail with CATENAE_CLOSED and close again is harmless', async () => {
    const driver = await TestDriver.start([Echo]);
    await driver.close();
    await driver.close();
    await assert.rejects(async () => driver.send('driver_in', 1), { code: ErrorCode.Closed });
    await assert.rejects(async () => driver.drain(), { code: ErrorCode.Closed });
    await assert.rejects(async () => driver.rpc('Echo', 'add', { n: 1 }), { code: ErrorCode.Closed });
  });

  it('lists the running instances of a link', async () => {
    const driver = await TestDriver.start([Echo], { instances: { Echo: 3 } });
    try {
      assert.equal(driver.instances('Echo').length, 3);
      assert.deepEqual(driver.instances('Other'), []);
      assert.equal(new Set(driver.instances('Echo').map((h) => h.uid)).size, 3, 'each instance has its own uid');
    } finally {
      await driver.close();
    }
  });

  it('inside a container ($HOSTNAME set) the instances of one driver still get distinct uids', async () => {
    const restore = setEnv({ HOSTNAME: 'pod-7f9c', container: 'docker' });
    let driver: TestDriver | undefined;
    try {
      driver = await TestDriver.start([Echo], { instances: { Echo: 2 } });
      const uids = driver.instances('Echo').map((h) => h.uid);
      assert.equal(new Set(uids).size, 2, `uids: ${uids.join(', ')}`);
    } finally {
      restore();
      await driver?.close();
    }
  });
});
