import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Electron, ErrorCode, Link, TestDriver, Transform, type Context, type LinkLike, type RawRecord, type StartOptions } from '../index.js';

/** Runs `body` with a driver on the given links, closing it whatever happens. */
async function withDriver(links: LinkLike[], options: Record<string, StartOptions>, body: (driver: TestDriver) => Promise<void>): Promise<void> {
  const driver = await TestDriver.start(links, { links: options });
  try {
    await body(driver);
  } finally {
    await driver.close();
  }
}

function headersOf(record: RawRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of record.headers ?? []) for (const [name, value] of Object.entries(header)) out[name] = String(value);
  return out;
}

@Link({ output: 'emit_out' })
class Returns {
  @Transform('emit_value')
  value(electron: Electron<number>) {
    return electron.value + 1;
  }

  @Transform('emit_undefined')
  nothing(_electron: Electron) {
    return undefined;
  }

  @Transform('emit_array')
  array(electron: Electron<number>) {
    return [electron.value, electron.value * 10];
  }

  @Transform('emit_electron')
  electron(electron: Electron<string>) {
    return new Electron({ key: `key-${electron.value}`, value: electron.value, topic: 'emit_side' });
  }

  @Transform('emit_keyed')
  keyed(electron: Electron<string>) {
    return new Electron({ key: 'kept', value: electron.value.toUpperCase() });
  }

  @Transform('emit_async')
  async later(electron: Electron<number>) {
    await delay(1);
    return electron.value * 3;
  }

  @Transform('emit_falsy')
  falsy(electron: Electron<string>) {
    return ({ zero: 0, false: false, empty: '' } as Record<string, unknown>)[electron.value];
  }

  @Transform('emit_passthrough')
  passthrough(electron: Electron) {
    return electron;
  }

  #failedOnce = false;

  @Transform('emit_retried')
  retried(electron: Electron<string>) {
    electron.value = electron.value.toUpperCase();
    if (!this.#failedOnce) {
      this.#failedOnce = true;
      throw new Error('first attempt fails after changing the value');
    }
    return electron;
  }
}

describe('what a handler returns', () => {
  it('a returned value goes to the default output', async () => {
    await withDriver([Returns], {}, async (driver) => {
      await driver.send('emit_value', 41);
      await driver.drain();
      assert.deepEqual(driver.read('emit_out').map((e) => e.value), [42]);
    });
  });

  it('returning undefined emits nothing', async () => {
    await withDriver([Returns], {}, async (driver) => {
      await driver.send('emit_undefined', 'x');
      await driver.drain();
      assert.deepEqual(driver.read('emit_out'), []);
    });
  });

  it('a returned array is one value, not one output per item', async () => {
    await withDriver([Returns], {}, async (driver) => {
      await driver.send('emit_array', 2);
      await driver.drain();
      assert.deepEqual(driver.read('emit_out').map((e) => e.value), [[2, 20]]);
    });
  });

  it('a returned Electron keeps its key and its own topic', async () => {
    await withDriver([Returns], {}, async (driver) => {
      await driver.send('emit_electron', 'a');
      await driver.drain();
      assert.deepEqual(driver.read('emit_out'), []);
      const side = driver.read('emit_side');
      assert.deepEqual(side.map((e) => [e.key, e.value]), [['key-a', 'a']]);
    });
  });

  it('a returned Electron without a topic goes to the default output under its key', async () => {
    await withDriver([Returns], {}, async (driver) => {
      await driver.send('emit_keyed', 'abc');
      await driver.drain();
      assert.deepEqual(driver.read('emit_out').map((e) => [e.key, e.value]), [['kept', 'ABC']]);
    });
  });

  it('an async handler emits what its promise resolves to', async () => {
    await withDriver([Returns], {}, async (driver) => {
      await driver.send('emit_async', 5);
      await driver.drain();
      assert.deepEqual(driver.read('emit_out').map((e) => e.value), [15]);
    });
  });

  it('falsy values other than undefined are emitted: 0, false and the empty string', async () => {
    await withDriver([Returns], { Returns: { mode: 'sequential' } }, async (driver) => {
      for (const name of ['zero', 'false', 'empty']) await driver.send('emit_falsy', new Electron({ key: 'one-lane', value: name }));
      await driver.drain();
      assert.deepEqual(driver.read('emit_out').map((e) => e.value), [0, false, '']);
    });
  });

  it('a received string returned unchanged goes on as the bytes it came in as', async () => {
    await withDriver([Returns], {}, async (driver) => {
      const bytes = Buffer.from([0x61, 0xff, 0x62]); // not UTF-8: decoding gives 'a\uFFFDb'
      driver.broker.append([{ topic: 'emit_passthrough', partition: undefined, key: null, value: bytes, headers: undefined, timestamp: undefined }]);
      await driver.drain();
      assert.deepEqual(driver.broker.topicRecords('emit_out').map((r) => r.value), [bytes]);
    });
  });

  it('a value changed by an attempt that failed is encoded anew by the retry', async () => {
    await withDriver([Returns], { Returns: { retryBackoffMs: 1 } }, async (driver) => {
      await driver.send('emit_retried', 'abc');
      await driver.drain();
      assert.deepEqual(driver.broker.topicRecords('emit_out').map((r) => r.value?.toString()), ['ABC']);
    });
  });

  it('returning the received electron passes its key, value and headers through', async () => {
    await withDriver([Returns], {}, async (driver) => {
      await driver.send('emit_passthrough', new Electron({ key: 'k1', value: new Map([['a', 1]]), headers: { trace: 't-1' } }));
      await driver.drain();
      const [out] = driver.read('emit_out');
      assert.equal(out?.key, 'k1');
      assert.deepEqual(out?.value, new Map([['a', 1]]));
      assert.equal(String(out?.headers?.trace), 't-1');
    });
  });
});

@Link({ output: 'gen_out' })
class Yields {
  @Transform('gen_sync')
  *split(electron: Electron<string>) {
    for (const word of electron.value.split(' ')) yield word;
    yield undefined;
    yield new Electron({ key: 'x', value: 'to-side', topic: 'gen_side' });
  }

  @Transform('gen_async')
  async *slowly(electron: Electron<number>) {
    for (let i = 0; i < electron.value; i++) {
      await delay(1);
      yield i;
    }
  }
}

describe('generator handlers', () => {
  it('a generator method emits each yielded item, skipping undefined', async () => {
    await withDriver([Yields], {}, async (driver) => {
      await driver.send('gen_sync', 'a b c');
      await driver.drain();
      assert.deepEqual(driver.read('gen_out').map((e) => e.value), ['a', 'b', 'c']);
      assert.deepEqual(driver.read('gen_side').map((e) => [e.key, e.value]), [['x', 'to-side']]);
    });
  });

  it('an async generator method emits each yielded item', async () => {
    await withDriver([Yields], {}, async (driver) => {
      await driver.send('gen_async', 4);
      await driver.drain();
      assert.deepEqual(driver.read('gen_out').map((e) => e.value), [0, 1, 2, 3]);
    });
  });

  it('a generator that fails after yielding is retried without duplicating what it yielded', async () => {
    let calls = 0;
    @Link({ output: 'retry_gen_out' })
    class Flaky {
      @Transform('retry_gen_in')
      *handle(electron: Electron<string>) {
        calls++;
        yield `${electron.value}-1`;
        if (calls < 3) throw new Error(`attempt ${calls} failed`);
        yield `${electron.value}-2`;
      }
    }
    await withDriver([Flaky], { Flaky: { retryBackoffMs: 1, logLevel: 'silent' } }, async (driver) => {
      await driver.send('retry_gen_in', 'e');
      await driver.drain();
      assert.equal(calls, 3);
      assert.deepEqual(driver.read('retry_gen_out').map((e) => e.value), ['e-1', 'e-2']);
    });
  });
});

describe('ctx.send', () => {
  @Link({ output: 'send_out' })
  class Sender {
    @Transform('send_array')
    array(electron: Electron<number[]>, ctx: Context) {
      ctx.send(electron.value);
    }

    @Transform('send_array_topic')
    arrayTo(electron: Electron<number[]>, ctx: Context) {
      ctx.send(electron.value, 'send_other');
    }

    @Transform('send_topic')
    toTopic(electron: Electron<string>, ctx: Context) {
      ctx.send(electron.value, 'send_other');
      ctx.send(`${electron.value}-default`);
    }

    @Transform('send_override')
    override(electron: Electron<string>, ctx: Context) {
      ctx.send(new Electron({ key: 'k', value: electron.value, topic: 'send_electron_topic' }), 'send_other');
    }

    @Transform('send_electron')
    electron(electron: Electron<string>, ctx: Context) {
      ctx.send(new Electron({ key: 'k2', value: electron.value, topic: 'send_electron_topic' }));
    }
  }

  it('an array sends each of its items to the default output', async () => {
    await withDriver([Sender], {}, async (driver) => {
      await driver.send('send_array', [1, 2, 3]);
      await driver.drain();
      assert.deepEqual(driver.read('send_out').map((e) => e.value), [1, 2, 3]);
    });
  });

  it('an array sent to a topic sends each item there', async () => {
    await withDriver([Sender], {}, async (driver) => {
      await driver.send('send_array_topic', [4, 5]);
      await driver.drain();
      assert.deepEqual(driver.read('send_other').map((e) => e.value), [4, 5]);
      assert.deepEqual(driver.read('send_out'), []);
    });
  });

  it('a topic argument sends there; without one the default output is used', async () => {
    await withDriver([Sender], {}, async (driver) => {
      await driver.send('send_topic', 'v');
      await driver.drain();
      assert.deepEqual(driver.read('send_other').map((e) => e.value), ['v']);
      assert.deepEqual(driver.read('send_out').map((e) => e.value), ['v-default']);
    });
  });

  it("an Electron sent without a topic argument goes to the electron's topic", async () => {
    await withDriver([Sender], {}, async (driver) => {
      await driver.send('send_electron', 'w');
      await driver.drain();
      assert.deepEqual(driver.read('send_electron_topic').map((e) => [e.key, e.value]), [['k2', 'w']]);
    });
  });

  it("a topic argument overrides the Electron's own topic", async () => {
    await withDriver([Sender], {}, async (driver) => {
      await driver.send('send_override', 'z');
      await driver.drain();
      assert.deepEqual(driver.read('send_other').map((e) => [e.key, e.value]), [['k', 'z']]);
      assert.deepEqual(driver.read('send_electron_topic'), []);
    });
  });
});

describe('emitting without an output', () => {
  it('a value emitted by a link with no output is dead-lettered with the error and its source in headers', async () => {
    let calls = 0;
    @Link()
    class NoOutput {
      @Transform('no_output_in')
      handle(electron: Electron<string>) {
        calls++;
        return electron.value;
      }
    }
    await withDriver([NoOutput], { NoOutput: { retryBackoffMs: 1, retries: 1, logLevel: 'silent' } }, async (driver) => {
      await driver.send('no_output_in', new Electron({ key: 'k', value: 'lost?' }));
      await driver.drain();
      const dead = driver.broker.topicRecords('no_output_in.dlq');
      assert.equal(dead.length, 1);
      const headers = headersOf(dead[0]!);
      assert.equal(headers['catenae-error-code'], ErrorCode.NoOutput);
      assert.ok(headers['catenae-error']!.length > 0);
      assert.equal(headers['catenae-source-topic'], 'no_output_in');
      const source = driver.broker.topicRecords('no_output_in')[0]!;
      assert.equal(headers['catenae-source-partition'], String(source.partition));
      assert.equal(headers['catenae-source-offset'], String(source.offset));
      assert.deepEqual(driver.read('no_output_in.dlq').map((e) => [e.key, e.value]), [['k', 'lost?']]);
      assert.equal(calls, 1, 'a missing output is not retried: no retry can mend it');
      assert.equal(driver.broker.lag('catenae_nooutput', 'no_output_in'), 0, 'the dead-lettered input is committed');
    });
  });
});
