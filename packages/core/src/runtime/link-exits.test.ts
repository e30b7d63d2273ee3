// How a link ends, as an orchestrator sees it: ok only when it did what it was asked, otherwise
// a CatenaeError whose code is the exit code's class (issue 16).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CatenaeError,
  EmbeddedBroker,
  EmbeddedTransportFactory,
  Electron,
  ErrorCode,
  ExitCode,
  Generator,
  Link,
  Rpc,
  Transform,
  defineLink,
  exitCodeOf,
  startLink,
  type Context,
  type OutgoingRecord,
} from '../index.js';

describe('a one-shot generator that throws', () => {
  it('stops a pure source with ok=false and CATENAE_HANDLER, what it sent before still delivered', async () => {
    @Link({ output: 'broken_feed' })
    class BrokenFeed {
      @Generator()
      *numbers() {
        yield 'one';
        throw new Error('the feed broke');
      }
    }
    const broker = new EmbeddedBroker();
    const handle = await startLink(BrokenFeed, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
    const exit = await handle.done;
    assert.equal(exit.ok, false);
    assert.equal(exit.reason, 'generator numbers() failed: Error: the feed broke');
    assert.equal(exitCodeOf(exit.error), ExitCode.Handler);
    assert.match(String(((exit.error as CatenaeError).cause as Error).stack), /BrokenFeed\.numbers/);
    assert.deepEqual(broker.topicRecords('broken_feed').map((record) => record.value!.toString()), ['one']);
  });

  it('stops a link that also reads inputs, whatever --on-error says: there is nothing to retry or dead-letter', async () => {
    @Link({ output: 'mixed_out' })
    class Mixed {
      @Generator()
      async prime() {
        throw new Error('cannot prime');
      }
      @Transform('mixed_in')
      handle(electron: Electron<string>) {
        return electron.value;
      }
    }
    const handle = await startLink(Mixed, { transport: new EmbeddedTransportFactory(new EmbeddedBroker()), onError: 'skip', logLevel: 'silent' });
    const exit = await handle.done;
    assert.equal(exit.ok, false);
    assert.equal(exitCodeOf(exit.error), ExitCode.Handler);
  });

  it('a periodic generator that fails once goes on (its next run may mend it)', async () => {
    let runs = 0;
    @Link({ output: 'tick_out' })
    class Ticker {
      @Generator({ interval: 1 })
      tick() {
        if (++runs === 1) throw new Error('first tick fails');
        return runs;
      }
    }
    const broker = new EmbeddedBroker();
    const handle = await startLink(Ticker, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
    const deadline = Date.now() + 5000;
    while (broker.topicRecords('tick_out').length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(broker.topicRecords('tick_out').length >= 2, 'ticks after the failing one');
    assert.equal((await handle.stop()).ok, true);
  });
});

describe('a link with nothing to do', () => {
  const transport = () => new EmbeddedTransportFactory(new EmbeddedBroker());
  // As catenae run starts links: nothing outside the process could give them work.
  const asCatenaeRun = { refuseIdle: true, logLevel: 'silent' } as const;

  it('a @Transform() without input topics is refused at start, naming what to add', async () => {
    @Link()
    class Deaf {
      @Transform()
      handle() {}
    }
    await assert.rejects(startLink(Deaf, { transport: transport(), ...asCatenaeRun }), (err: CatenaeError) => {
      assert.equal(err.code, ErrorCode.BadLink);
      assert.equal(exitCodeOf(err), ExitCode.Load);
      assert.match(err.message, /^link Deaf has a @Transform\(\) but no input topic to read: pass -i a,b/);
      return true;
    });
  });

  it('an empty @Link class is refused at start', async () => {
    @Link()
    class Empty {}
    await assert.rejects(startLink(Empty, { transport: transport(), ...asCatenaeRun }), { code: ErrorCode.BadLink, message: /^link Empty has nothing to run/ });
  });

  it('a link with only @Rpc methods is a service, and runs', async () => {
    @Link()
    class Service {
      @Rpc()
      ping() {
        return 'pong';
      }
    }
    const handle = await startLink(Service, { transport: transport(), ...asCatenaeRun });
    assert.equal((await handle.stop()).ok, true);
  });

  it('a link whose setup starts a ctx.loop runs', async () => {
    const Looper = defineLink({ name: 'SetupLooper', setup: (ctx: Context) => ctx.loop(() => undefined, { intervalMs: 50 }) });
    const handle = await startLink(Looper, { transport: transport(), ...asCatenaeRun });
    assert.equal((await handle.stop()).ok, true);
  });

  it('from code (no refuseIdle) it starts: the handle can give it work', async () => {
    const seen: string[] = [];
    @Link({ output: 'fed_out' })
    class Fed {
      @Transform()
      handle(electron: Electron<string>) {
        seen.push(electron.value);
      }
    }
    const broker = new EmbeddedBroker();
    const handle = await startLink(Fed, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
    await handle.ctx.addInput('fed_in');
    handle.ctx.send('x', 'fed_in');
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(seen, ['x']);
    assert.equal((await handle.stop()).ok, true);
  });
});

describe('a failing setup', () => {
  it('rejects the start with CATENAE_SETUP naming the link, the error as cause', async () => {
    const cause = new Error('no database');
    @Link()
    class Fragile {
      setup() {
        throw cause;
      }
      @Transform('fragile_in')
      handle() {}
    }
    await assert.rejects(startLink(Fragile, { transport: new EmbeddedTransportFactory(new EmbeddedBroker()), logLevel: 'silent' }), (err: CatenaeError) => {
      assert.equal(err.code, ErrorCode.Setup);
      assert.equal(err.message, 'link Fragile: setup() failed: Error: no database');
      assert.equal(err.cause, cause);
      assert.equal(exitCodeOf(err), ExitCode.Setup);
      return true;
    });
  });

  it('keeps the code of a CatenaeError that setup threw', async () => {
    @Link()
    class NeedsStore {
      setup() {
        throw new CatenaeError(ErrorCode.Store, 'this link needs a MongoDB store');
      }
      @Transform('needs_store_in')
      handle() {}
    }
    await assert.rejects(startLink(NeedsStore, { transport: new EmbeddedTransportFactory(new EmbeddedBroker()), logLevel: 'silent' }), {
      code: ErrorCode.Store,
      message: 'link NeedsStore: setup() failed: this link needs a MongoDB store',
    });
  });
});

describe('a stop that times out with work in flight', () => {
  it('ends with ok=false and CATENAE_SHUTDOWN_TIMEOUT, saying how many electrons were left, none committed', async () => {
    let holding = 0;
    @Link()
    class Stuck {
      @Transform('stuck_in')
      async hold(): Promise<void> {
        holding++;
        await new Promise(() => undefined);
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('stuck_in', 1);
    const record: OutgoingRecord = { topic: 'stuck_in', partition: undefined, key: null, value: Buffer.from('a'), headers: undefined, timestamp: undefined };
    broker.append([record]);
    const handle = await startLink(Stuck, { transport: new EmbeddedTransportFactory(broker), shutdownTimeoutMs: 200, logLevel: 'silent' });
    const deadline = Date.now() + 5000;
    while (holding === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(holding, 1);
    const exit = await handle.stop('received SIGTERM');
    assert.equal(exit.ok, false);
    assert.equal(
      exit.reason,
      'received SIGTERM; the shutdown timeout (200 ms) passed with 1 electron still being handled (not committed: read again on restart)',
    );
    assert.equal(exitCodeOf(exit.error), ExitCode.ShutdownTimeout);
    assert.equal(broker.committed('catenae_stuck', 'stuck_in', 0), undefined, 'the electron in flight was not committed');
  });
});

describe('ctx.stop(reason)', () => {
  it('ends with CATENAE_STOPPED, its own exit code', async () => {
    @Link({ output: 'quitting_out' })
    class Quitting {
      @Generator()
      once(ctx: Context) {
        ctx.stop('the job is done, badly');
      }
    }
    const handle = await startLink(Quitting, { transport: new EmbeddedTransportFactory(new EmbeddedBroker()), logLevel: 'silent' });
    const exit = await handle.done;
    assert.equal(exit.ok, false);
    assert.equal(exit.reason, 'the job is done, badly');
    assert.equal(exitCodeOf(exit.error), ExitCode.Stopped);
  });
});
