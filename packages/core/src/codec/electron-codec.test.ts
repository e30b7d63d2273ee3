import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AVRO_SCHEMA_HEADER,
  CODEC_HEADER,
  EmbeddedBroker,
  Electron,
  ElectronCodec,
  ErrorCode,
  Link,
  TestDriver,
  Transform,
  type Codec,
  type Headers,
  type OutgoingRecord,
  type RawRecord,
} from '../index.js';

// What a broker hands back for a produced record: key as bytes, position filled in.
function received(record: OutgoingRecord, offset = 0): RawRecord {
  return {
    topic: record.topic,
    partition: 0,
    offset,
    key: record.key === null ? null : Buffer.isBuffer(record.key) ? record.key : Buffer.from(record.key, 'utf8'),
    value: record.value,
    headers: record.headers,
    timestamp: record.timestamp ?? 1,
  };
}

// A reader with no configuration at all, as the design promises is enough.
const reader = new ElectronCodec({});

function roundTrip(writer: ElectronCodec, value: unknown, topic = 't', headers?: Headers): unknown {
  return reader.decode(received(writer.encode(value, null, topic, headers, undefined))).value;
}

function headerOf(record: OutgoingRecord, name: string): string | Buffer | undefined {
  return record.headers?.find((header) => name in header)?.[name];
}

describe('ElectronCodec: strings and bytes', () => {
  const codec = new ElectronCodec({});

  it('sends a string as raw UTF-8 with no codec header', () => {
    const text = 'héllo, wörld 🌍';
    const record = codec.encode(text, null, 't', undefined, undefined);
    assert.deepEqual(record.value, Buffer.from(text, 'utf8'));
    assert.equal(record.headers, undefined);
    assert.equal(reader.decode(received(record)).value, text);
  });

  it('keeps the empty string an empty string', () => {
    assert.equal(roundTrip(codec, ''), '');
  });

  it('sends a Buffer as its raw bytes with the bytes header and reads it back as a Buffer', () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const record = codec.encode(bytes, null, 't', undefined, undefined);
    assert.deepEqual(record.value, bytes);
    assert.equal(headerOf(record, CODEC_HEADER), 'bytes');
    const value = reader.decode(received(record)).value;
    assert.ok(Buffer.isBuffer(value));
    assert.deepEqual(value, bytes);
  });

  it('sends null as a tombstone and reads null back', () => {
    const record = codec.encode(null, 'k', 't', undefined, undefined);
    assert.equal(record.value, null);
    assert.equal(reader.decode(received(record)).value, null);
  });
});

describe('ElectronCodec: transparent (default) codec', () => {
  const codec = new ElectronCodec({});
  const cases: [string, unknown][] = [
    ['a Map with object keys and values', new Map<unknown, unknown>([[1, { a: 'x' }], ['two', [1, 2]], [{ k: true }, new Set([1])]])],
    ['a Set', new Set(['a', 1, null])],
    ['a Date', new Date('2024-02-29T12:34:56.789Z')],
    ['a BigInt', 12345678901234567890123456789n],
    ['a negative BigInt', -42n],
    ['an Int32Array', new Int32Array([-1, 0, 2 ** 31 - 1])],
    ['a Float64Array', new Float64Array([0.1, -0, NaN, Infinity])],
    ['a Uint8Array', new Uint8Array([1, 2, 3])],
    ['numbers incl. -0 and NaN', [0, -0, NaN, -Infinity, 1.5]],
    ['booleans and false', [true, false]],
    ['a plain number', 42],
    ['false on its own', false],
    ['zero on its own', 0],
    ['a RegExp', /a+b/gi],
    ['undefined inside an object', { a: undefined, b: 1 }],
    [
      'nested structures',
      { list: [new Map([['m', new Set([new Date(0)])]]), { deep: { deeper: [1n, 'x', null] } }], when: new Date(86_400_000) },
    ],
  ];
  for (const [what, value] of cases) {
    it(`round-trips ${what} exactly`, () => {
      const record = codec.encode(value, null, 't', undefined, undefined);
      assert.equal(headerOf(record, CODEC_HEADER), 'transparent');
      assert.deepEqual(reader.decode(received(record)).value, value);
    });
  }

  it('round-trips an object graph with a cycle', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.self = node;
    const back = roundTrip(codec, node) as Record<string, unknown>;
    assert.equal(back.name, 'root');
    assert.equal(back.self, back);
  });

  it('refuses a function with CATENAE_ENCODE', () => {
    assert.throws(() => codec.encode({ f: () => 1 }, null, 't', undefined, undefined), { code: ErrorCode.Encode });
  });

  it('reports garbage bytes under the transparent header as CATENAE_DECODE', () => {
    const record: RawRecord = {
      topic: 't',
      partition: 0,
      offset: 7,
      key: null,
      value: Buffer.from('definitely not v8'),
      headers: [{ [CODEC_HEADER]: 'transparent' }],
      timestamp: 1,
    };
    assert.throws(() => reader.decode(record), { code: ErrorCode.Decode });
  });
});

describe('ElectronCodec: json codec', () => {
  const codec = new ElectronCodec({ codec: 'json' });

  it('writes JSON text under the json header and reads it back', () => {
    const value = { a: 1, b: ['x', null, true], c: { d: 1.5 } };
    const record = codec.encode(value, null, 't', undefined, undefined);
    assert.equal(headerOf(record, CODEC_HEADER), 'json');
    assert.deepEqual(JSON.parse(record.value!.toString('utf8')), value);
    assert.deepEqual(reader.decode(received(record)).value, value);
  });

  it('still sends strings as raw UTF-8 without a header', () => {
    const record = codec.encode('plain', null, 't', undefined, undefined);
    assert.equal(record.headers, undefined);
    assert.equal(record.value!.toString('utf8'), 'plain');
  });

  it('refuses a BigInt with CATENAE_ENCODE', () => {
    assert.throws(() => codec.encode({ n: 1n }, null, 't', undefined, undefined), { code: ErrorCode.Encode });
  });

  it('reports broken JSON under the json header as CATENAE_DECODE', () => {
    const record: RawRecord = { topic: 't', partition: 0, offset: 0, key: null, value: Buffer.from('{nope'), headers: [{ [CODEC_HEADER]: 'json' }], timestamp: 1 };
    assert.throws(() => reader.decode(record), { code: ErrorCode.Decode });
  });
});

describe('ElectronCodec: avro codec', () => {
  const schema = {
    type: 'record',
    name: 'Reading',
    fields: [
      { name: 'sensor', type: 'string' },
      { name: 'celsius', type: 'double' },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  };
  const codec = new ElectronCodec({ codec: 'avro', schemas: { readings: schema } });

  it('carries the writer schema in a header so a reader without schemas decodes it', () => {
    const value = { sensor: 's1', celsius: 21.5, tags: ['a', 'b'], note: null };
    const record = codec.encode(value, 'k', 'readings', undefined, undefined);
    assert.equal(headerOf(record, CODEC_HEADER), 'avro');
    assert.ok(headerOf(record, AVRO_SCHEMA_HEADER), 'schema header present');
    const electron = reader.decode(received(record));
    assert.equal(electron.headers, undefined, 'the schema header is internal');
    assert.equal((electron.value as { sensor: string }).sensor, 's1');
    assert.equal((electron.value as { celsius: number }).celsius, 21.5);
  });

  it('an Avro record arrives as a plain object equal to what was sent', () => {
    const value = { sensor: 's2', celsius: -3, tags: [], note: 'cold' };
    assert.deepEqual(roundTrip(codec, value, 'readings'), value);
  });

  it('refuses a value that does not match the schema with CATENAE_ENCODE', () => {
    assert.throws(() => codec.encode({ sensor: 1 }, null, 'readings', undefined, undefined), { code: ErrorCode.Encode });
  });

  it('refuses a topic without a schema with CATENAE_ENCODE', () => {
    assert.throws(() => codec.encode({ sensor: 's' }, null, 'elsewhere', undefined, undefined), { code: ErrorCode.Encode });
  });

  it('rejects an invalid schema with CATENAE_BAD_FLAG when the codec is built', () => {
    assert.throws(() => new ElectronCodec({ codec: 'avro', schemas: { t: { type: 'record', name: 'X', fields: 'nope' } } }), {
      code: ErrorCode.BadFlag,
    });
  });

  it('reports an Avro message without its schema header as CATENAE_DECODE', () => {
    const record = codec.encode({ sensor: 's', celsius: 1, tags: [], note: null }, null, 'readings', undefined, undefined);
    const stripped = { ...received(record), headers: [{ [CODEC_HEADER]: 'avro' }] };
    assert.throws(() => reader.decode(stripped), { code: ErrorCode.Decode });
  });
});

describe('ElectronCodec: headers, keys and positions', () => {
  const codec = new ElectronCodec({});

  it('passes user headers through and hides catenae- headers', () => {
    const headers: Headers = { trace: 'abc', raw: Buffer.from([1, 2]) };
    const record = codec.encode({ x: 1 }, null, 't', headers, undefined);
    const electron = reader.decode(received(record));
    assert.equal(electron.headers?.trace, 'abc');
    assert.deepEqual(electron.headers?.raw, Buffer.from([1, 2]));
    assert.deepEqual(Object.keys(electron.headers ?? {}).sort(), ['raw', 'trace']);
  });

  it('gives an electron without user headers undefined headers', () => {
    assert.equal(reader.decode(received(codec.encode({ x: 1 }, null, 't', undefined, undefined))).headers, undefined);
  });

  it('reads keys back as strings and keeps a null key null', () => {
    assert.equal(reader.decode(received(codec.encode(1, 'word', 't', undefined, undefined))).key, 'word');
    assert.equal(reader.decode(received(codec.encode(1, 7, 't', undefined, undefined))).key, '7');
    assert.equal(reader.decode(received(codec.encode(1, null, 't', undefined, undefined))).key, null);
  });

  it('fills where the electron came from and its timestamp', () => {
    const record = codec.encode('v', 'k', 'source', undefined, 1234);
    const electron = reader.decode({ ...received(record, 41), partition: 3 });
    assert.equal(electron.previousTopic, 'source');
    assert.equal(electron.topic, undefined);
    assert.equal(electron.partition, 3);
    assert.equal(electron.offset, 41);
    assert.equal(electron.timestamp, 1234);
  });
});

describe('ElectronCodec: configuration and header-less input', () => {
  const plain = (text: string): RawRecord => ({ topic: 't', partition: 0, offset: 0, key: null, value: Buffer.from(text), headers: undefined, timestamp: 1 });

  it('reads a header-less message as a string by default', () => {
    assert.equal(new ElectronCodec({}).decode(plain('{"a":1}')).value, '{"a":1}');
  });

  it('reads a header-less message as JSON with inputFormat json', () => {
    assert.deepEqual(new ElectronCodec({ inputFormat: 'json' }).decode(plain('{"a":[1,2]}')).value, { a: [1, 2] });
  });

  it('reports header-less broken JSON with inputFormat json as CATENAE_DECODE', () => {
    assert.throws(() => new ElectronCodec({ inputFormat: 'json' }).decode(plain('{oops')), { code: ErrorCode.Decode });
  });

  it('reads a header-less message as a Buffer with inputFormat bytes', () => {
    const value = new ElectronCodec({ inputFormat: 'bytes' }).decode(plain('raw')).value;
    assert.ok(Buffer.isBuffer(value));
    assert.equal(value.toString(), 'raw');
  });

  it('rejects an unknown codec name with CATENAE_BAD_FLAG', () => {
    assert.throws(() => new ElectronCodec({ codec: 'nope' }), { code: ErrorCode.BadFlag });
  });

  it('reports a message naming an unknown codec as CATENAE_DECODE', () => {
    assert.throws(() => reader.decode({ ...plain('x'), headers: [{ [CODEC_HEADER]: 'zstd-msgpack' }] }), { code: ErrorCode.Decode });
  });

  it('uses a custom codec object and names it in the header', () => {
    const reversed: Codec = {
      name: 'reversed',
      encode: (value) => Buffer.from(String(value).split('').reverse().join('')),
      decode: (bytes) => bytes.toString().split('').reverse().join(''),
    };
    const codec = new ElectronCodec({ codec: reversed });
    const record = codec.encode(12345, null, 't', undefined, undefined);
    assert.equal(headerOf(record, CODEC_HEADER), 'reversed');
    assert.equal(record.value!.toString(), '54321');
    assert.equal(codec.decode(received(record)).value, '12345');
  });
});

describe('codecs end to end through links', () => {
  @Link({ output: 'e2e_out' })
  class PassThrough {
    @Transform('e2e_in')
    handle(electron: Electron) {
      return electron;
    }
  }

  it('transparent values survive a link that decodes and re-encodes them, exactly', async () => {
    const values: unknown[] = [
      new Map<unknown, unknown>([['a', new Set([1n, 2n])], [3, { d: new Date(1_000) }]]),
      { nested: { typed: new Float32Array([1.5, -2]), bytes: new Uint8Array([9]), big: 2n ** 70n, when: new Date(0) } },
      [1, 'two', null, [true, { three: 3 }]],
      'a string, raw',
      Buffer.from('raw bytes'),
    ];
    const driver = await TestDriver.start([PassThrough], { links: { PassThrough: { mode: 'sequential' } } });
    try {
      for (const value of values) await driver.send('e2e_in', new Electron({ key: 'one', value }));
      await driver.drain();
      assert.deepEqual(driver.read('e2e_out').map((e) => e.value), values);
    } finally {
      await driver.close();
    }
  });

  it('user headers pass through a link beside the codec headers', async () => {
    const driver = await TestDriver.start([PassThrough]);
    try {
      await driver.send('e2e_in', new Electron({ value: new Set([1]), headers: { trace: 'abc', bin: Buffer.from([7]) } }));
      await driver.drain();
      const [out] = driver.read('e2e_out');
      assert.deepEqual(out?.value, new Set([1]));
      assert.equal(String(out?.headers?.trace), 'abc');
      assert.deepEqual(Buffer.from(out!.headers!.bin as Buffer), Buffer.from([7]));
      assert.deepEqual(Object.keys(out?.headers ?? {}).sort(), ['bin', 'trace']);
    } finally {
      await driver.close();
    }
  });

  it('a json link writes JSON any client can read, and a default link reads it back', async () => {
    @Link({ output: 'json_mid', codec: 'json' })
    class JsonWriter {
      @Transform('json_src')
      handle(electron: Electron<{ n: number }>) {
        return { doubled: electron.value.n * 2, list: [electron.value.n] };
      }
    }
    const seen: unknown[] = [];
    @Link()
    class JsonConsumer {
      @Transform('json_mid')
      handle(electron: Electron) {
        seen.push(electron.value);
      }
    }
    const driver = await TestDriver.start([JsonWriter, JsonConsumer]);
    try {
      await driver.send('json_src', { n: 21 });
      await driver.drain();
      const [record] = driver.broker.topicRecords('json_mid');
      assert.deepEqual(JSON.parse(record!.value!.toString('utf8')), { doubled: 42, list: [21] });
      assert.deepEqual(seen, [{ doubled: 42, list: [21] }]);
    } finally {
      await driver.close();
    }
  });

  it('an avro link is read by a link that has no schema', async () => {
    const schema = { type: 'record', name: 'Count', fields: [{ name: 'word', type: 'string' }, { name: 'n', type: 'long' }] };
    @Link({ output: 'avro_mid', codec: 'avro', schemas: { avro_mid: schema } })
    class AvroWriter {
      @Transform('avro_src')
      handle(electron: Electron<string>) {
        return { word: electron.value, n: electron.value.length };
      }
    }
    const seen: [string, number][] = [];
    @Link()
    class AvroReader {
      @Transform('avro_mid')
      handle(electron: Electron<{ word: string; n: number }>) {
        seen.push([electron.value.word, electron.value.n]);
      }
    }
    const driver = await TestDriver.start([AvroWriter, AvroReader]);
    try {
      await driver.send('avro_src', 'catenae');
      await driver.drain();
      assert.deepEqual(seen, [['catenae', 7]]);
      assert.deepEqual(driver.broker.lag('catenae_avroreader', 'avro_mid'), 0);
    } finally {
      await driver.close();
    }
  });

  it('an avro link dead-letters a value that does not match its schema as CATENAE_ENCODE', async () => {
    @Link({ output: 'avro_bad_out', codec: 'avro', schemas: { avro_bad_out: { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] } } })
    class Mismatch {
      @Transform('avro_bad_in')
      handle() {
        return { a: 'not an int' };
      }
    }
    const driver = await TestDriver.start([Mismatch], { links: { Mismatch: { retries: 0, logLevel: 'silent' } } });
    try {
      await driver.send('avro_bad_in', 'x');
      await driver.drain();
      const dead = driver.broker.topicRecords('avro_bad_in.dlq');
      assert.equal(dead.length, 1);
      const code = dead[0]!.headers?.find((h) => 'catenae-error-code' in h)?.['catenae-error-code'];
      assert.equal(String(code), ErrorCode.Encode);
    } finally {
      await driver.close();
    }
  });

  it('header-less input arrives as a string, or as a Buffer with inputFormat bytes', async () => {
    const seen: unknown[] = [];
    @Link()
    class Strings {
      @Transform('outside_text')
      handle(electron: Electron) {
        seen.push(electron.value);
      }
    }
    @Link({ inputFormat: 'bytes' })
    class Bytes {
      @Transform('outside_bytes')
      handle(electron: Electron) {
        seen.push(electron.value);
      }
    }
    const broker = new EmbeddedBroker();
    const outside = (topic: string, value: Buffer): OutgoingRecord => ({ topic, partition: undefined, key: null, value, headers: undefined, timestamp: undefined });
    broker.append([outside('outside_text', Buffer.from('ñandú')), outside('outside_bytes', Buffer.from([0xff, 0x00]))]);
    const driver = await TestDriver.start([Strings, Bytes], { broker });
    try {
      await driver.drain();
      assert.equal(seen.length, 2);
      assert.ok(seen.includes('ñandú'));
      const bytes = seen.find((v) => Buffer.isBuffer(v));
      assert.deepEqual(bytes, Buffer.from([0xff, 0x00]));
    } finally {
      await driver.close();
    }
  });
});
