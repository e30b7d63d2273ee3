import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CODEC_HEADER, CatenaeError, EmbeddedBroker, Electron, ErrorCode, ExitCode, Link, TestDriver, Transform, exitCodeOf, type OutgoingRecord, type RawRecord } from '../index.js';
import { MAX_STACK_HEADER_BYTES, deadLetterOf } from './failure-policy.js';

function headersOf(record: RawRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of record.headers ?? []) for (const [name, value] of Object.entries(header)) out[name] = String(value);
  return out;
}

function raw(topic: string, value: Buffer | string, headers?: OutgoingRecord['headers'], key: string | null = null): OutgoingRecord {
  return { topic, partition: undefined, key, value: Buffer.from(value), headers, timestamp: undefined };
}

describe('--on-error dlq (default)', () => {
  it('a handler failing twice then succeeding produces its output once and nothing in the DLQ', async () => {
    let calls = 0;
    @Link({ output: 'flaky_out' })
    class Flaky {
      @Transform('flaky_in')
      handle(electron: Electron<string>) {
        if (++calls <= 2) throw new Error(`attempt ${calls}`);
        return electron.value.toUpperCase();
      }
    }
    const driver = await TestDriver.start([Flaky], { links: { Flaky: { retryBackoffMs: 1, logLevel: 'silent' } } });
    try {
      await driver.send('flaky_in', 'ok');
      await driver.drain();
      assert.equal(calls, 3);
      assert.deepEqual(driver.read('flaky_out').map((e) => e.value), ['OK']);
      assert.deepEqual(driver.broker.topicRecords('flaky_in.dlq'), []);
      assert.equal(driver.broker.lag('catenae_flaky', 'flaky_in'), 0);
    } finally {
      await driver.close();
    }
  });

  it('after `retries` retries the electron goes to <input>.dlq as it came, with the error and its source in headers', async () => {
    let calls = 0;
    @Link({ output: 'doomed_out' })
    class Doomed {
      @Transform('doomed_in')
      async handle(_electron: Electron) {
        calls++;
        throw new TypeError('cannot handle this');
      }
    }
    const driver = await TestDriver.start([Doomed], { links: { Doomed: { retries: 2, retryBackoffMs: 1, logLevel: 'silent' } } });
    try {
      const value = { id: 7, tags: new Set(['x']) };
      await driver.send('doomed_in', new Electron({ key: 'k7', value, headers: { trace: 'abc' } }));
      await driver.drain();
      assert.equal(calls, 3, 'one call and two retries');
      assert.deepEqual(driver.read('doomed_out'), []);

      const [source] = driver.broker.topicRecords('doomed_in');
      const dead = driver.broker.topicRecords('doomed_in.dlq');
      assert.equal(dead.length, 1);
      assert.deepEqual(dead[0]!.value, source!.value, 'the original bytes');
      assert.deepEqual(dead[0]!.key, source!.key);
      const headers = headersOf(dead[0]!);
      assert.match(headers['catenae-error']!, /cannot handle this/);
      assert.equal(headers['catenae-error-code'], ErrorCode.Handler);
      assert.equal(headers['catenae-source-topic'], 'doomed_in');
      assert.equal(headers['catenae-source-partition'], String(source!.partition));
      assert.equal(headers['catenae-source-offset'], String(source!.offset));
      assert.equal(headers.trace, 'abc', 'user headers stay');

      const [letter] = driver.read('doomed_in.dlq');
      assert.deepEqual(letter?.value, value, 'a DLQ reader decodes the original value');
      assert.equal(driver.broker.lag('catenae_doomed', 'doomed_in'), 0, 'a dead-lettered electron is committed');
    } finally {
      await driver.close();
    }
  });

  it('a dead letter carries the stack of what the handler threw in catenae-error-stack', async () => {
    @Link()
    class Thrower {
      @Transform('stacked_in')
      handle(): void {
        throw new RangeError('out of range');
      }
    }
    const driver = await TestDriver.start([Thrower], { links: { Thrower: { retries: 0, logLevel: 'silent' } } });
    try {
      await driver.send('stacked_in', 'x');
      await driver.drain();
      const headers = headersOf(driver.broker.topicRecords('stacked_in.dlq')[0]!);
      assert.match(headers['catenae-error-stack']!, /^RangeError: out of range\n\s+at Thrower\.handle \(.*failure-policy\.test\.js:\d+:\d+\)/);
    } finally {
      await driver.close();
    }
  });

  it('the catenae-error-stack header is cut to 4 KiB, on a character boundary', () => {
    const err = new Error('deep');
    err.stack = `Error: deep\n${'    at récursion (file:///app/link.js:1:1)\n'.repeat(500)}`;
    const record = { topic: 't', partition: 0, offset: 3, key: null, value: Buffer.from('v'), headers: undefined, timestamp: 0 };
    const header = headersOf({ ...record, headers: deadLetterOf(record, err, 'L').headers })['catenae-error-stack']!;
    assert.ok(Buffer.byteLength(header) <= MAX_STACK_HEADER_BYTES, `${Buffer.byteLength(header)} bytes`);
    assert.ok(Buffer.byteLength(header) > MAX_STACK_HEADER_BYTES - 64, 'as much as fits');
    assert.match(header, /^Error: deep\n/);
    assert.match(header, /\.\.\. \(cut\)$/);
    assert.ok(!header.includes('\uFFFD'), 'no character split');
  });

  it('a thrown non-Error is dead-lettered with its text', async () => {
    @Link()
    class ThrowsString {
      @Transform('throws_string_in')
      handle() {
        throw 'plain string failure';
      }
    }
    const driver = await TestDriver.start([ThrowsString], { links: { ThrowsString: { retries: 0, logLevel: 'silent' } } });
    try {
      await driver.send('throws_string_in', 'x');
      await driver.drain();
      const dead = driver.broker.topicRecords('throws_string_in.dlq');
      assert.equal(dead.length, 1);
      assert.match(headersOf(dead[0]!)['catenae-error']!, /plain string failure/);
    } finally {
      await driver.close();
    }
  });

  it('an undecodable input goes to the DLQ at once, without retries and without reaching the handler', async () => {
    const seen: unknown[] = [];
    @Link()
    class Reader {
      @Transform('undecodable_in')
      handle(electron: Electron) {
        seen.push(electron.value);
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('undecodable_in', 1);
    broker.append([
      raw('undecodable_in', Buffer.from('not a v8 value at all'), [{ [CODEC_HEADER]: 'transparent' }]),
      raw('undecodable_in', 'fine'),
    ]);
    // A retry would wait 5 s: drain's 2 s deadline proves there was none.
    const driver = await TestDriver.start([Reader], { broker, links: { Reader: { retryBackoffMs: 5000, logLevel: 'silent' } } });
    try {
      await driver.drain(2000);
      assert.deepEqual(seen, ['fine'], 'the link kept going');
      const dead = driver.broker.topicRecords('undecodable_in.dlq');
      assert.equal(dead.length, 1);
      const headers = headersOf(dead[0]!);
      assert.equal(headers['catenae-error-code'], ErrorCode.Decode);
      assert.equal(headers['catenae-source-offset'], '0');
      assert.equal(headers[CODEC_HEADER], 'transparent', 'the DLQ keeps the original codec header');
      assert.deepEqual(dead[0]!.value, Buffer.from('not a v8 value at all'));
      assert.equal(driver.broker.lag('catenae_reader', 'undecodable_in'), 0);
    } finally {
      await driver.close();
    }
  });

  it('header-less broken JSON on a link reading inputFormat json is dead-lettered as CATENAE_DECODE', async () => {
    const seen: unknown[] = [];
    @Link({ inputFormat: 'json' })
    class JsonReader {
      @Transform('json_in')
      handle(electron: Electron) {
        seen.push(electron.value);
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('json_in', 1);
    broker.append([raw('json_in', '{"a":'), raw('json_in', '{"a":[1,{"b":null}]}')]);
    const driver = await TestDriver.start([JsonReader], { broker, links: { JsonReader: { logLevel: 'silent' } } });
    try {
      await driver.drain();
      assert.deepEqual(seen, [{ a: [1, { b: null }] }]);
      const dead = driver.broker.topicRecords('json_in.dlq');
      assert.equal(dead.length, 1);
      assert.equal(headersOf(dead[0]!)['catenae-error-code'], ErrorCode.Decode);
    } finally {
      await driver.close();
    }
  });
});

describe('--on-error skip', () => {
  it('drops the failed electron after one call: no retry, no DLQ, committed, the rest goes on', async () => {
    const calls: string[] = [];
    @Link({ output: 'skip_out', onError: 'skip' })
    class Skipper {
      @Transform('skip_in')
      handle(electron: Electron<string>) {
        calls.push(electron.value);
        if (electron.value === 'bad') throw new Error('skip me');
        return electron.value;
      }
    }
    const broker = new EmbeddedBroker();
    broker.createTopic('skip_in', 1);
    broker.append([raw('skip_in', 'a'), raw('skip_in', 'bad'), raw('skip_in', 'b')]);
    const driver = await TestDriver.start([Skipper], { broker, links: { Skipper: { logLevel: 'silent' } } });
    try {
      await driver.drain();
      assert.deepEqual(calls, ['a', 'bad', 'b']);
      assert.deepEqual(driver.read('skip_out').map((e) => e.value), ['a', 'b']);
      assert.deepEqual(driver.broker.topicRecords('skip_in.dlq'), []);
      assert.equal(driver.broker.committed('catenae_skipper', 'skip_in', 0), 3);
    } finally {
      await driver.close();
    }
  });
});

describe('--on-error exit', () => {
  it('a crash before commit replays the electron: the link ends with ok=false and the failed offset stays uncommitted', async () => {
    const broker = new EmbeddedBroker();
    broker.createTopic('exit_in', 1);
    broker.append([raw('exit_in', 'first'), raw('exit_in', 'poison'), raw('exit_in', 'third')]);

    const firstRun: string[] = [];
    @Link({ name: 'Exiter', output: 'exit_out', onError: 'exit' })
    class Crashing {
      @Transform('exit_in')
      handle(electron: Electron<string>) {
        firstRun.push(electron.value);
        if (electron.value === 'poison') throw new Error('cannot digest');
        return electron.value;
      }
    }
    const first = await TestDriver.start([Crashing], { broker, links: { Exiter: { logLevel: 'silent' } } });
    try {
      const exit = await first.instances('Exiter')[0]!.done;
      assert.equal(exit.ok, false);
      assert.match(exit.reason, /cannot digest/);
      assert.equal(exitCodeOf(exit.error), ExitCode.Handler);
      assert.deepEqual((exit.error as CatenaeError).details, { topic: 'exit_in', partition: 0, offset: 1 }, 'where it failed, as log fields');
      assert.match(String(((exit.error as CatenaeError).cause as Error).stack), /cannot digest\n\s+at Crashing\.handle/, 'the handler\'s own error and stack as cause');
      assert.deepEqual(firstRun, ['first', 'poison'], 'nothing after the failure is handled');
      assert.equal(broker.committed('catenae_exiter', 'exit_in', 0), 1, 'committed up to the failed electron, not past it');
      assert.equal(broker.lag('catenae_exiter', 'exit_in'), 2);
      assert.deepEqual(first.read('exit_out').map((e) => e.value), ['first']);
    } finally {
      await first.close();
    }

    const secondRun: string[] = [];
    @Link({ name: 'Exiter', output: 'exit_out', onError: 'exit' })
    class Fixed {
      @Transform('exit_in')
      handle(electron: Electron<string>) {
        secondRun.push(electron.value);
        return electron.value;
      }
    }
    const second = await TestDriver.start([Fixed], { broker, links: { Exiter: { logLevel: 'silent' } } });
    try {
      await second.drain();
      assert.deepEqual(secondRun, ['poison', 'third'], 'the restart replays from the failed electron');
      assert.equal(broker.lag('catenae_exiter', 'exit_in'), 0);
    } finally {
      await second.close();
    }
  });
});
