// The codecs per electron, in one process: ElectronCodec.encode (value -> Kafka record) and
// ElectronCodec.decode (record as node-rdkafka hands it over, header values as Buffers -> Electron)
// for a 100-byte string (raw UTF-8, no codec), and an object of about 100 bytes through the
// transparent (V8 serialize), JSON and Avro codecs. Each figure: ns per electron, the median of
// `runs` loops of `iterations`.
// Usage: node native-bench/codecs.bench.mjs [iterations=200000] [runs=5]
import { fileURLToPath } from 'node:url';
import { ElectronCodec } from '@catenae/core';
import { median } from './lib/stats.mjs';

const TOPIC = 'codec_bench';
const SCHEMA = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'user', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'ok', type: 'boolean' },
  ],
};
const valueOf = (i) => ({ id: i, user: `user-${i}`, score: i / 7, tags: ['alpha', 'beta', 'gamma'], ok: (i & 1) === 0 });

export const CODEC_CASES = [
  { name: 'string (raw UTF-8)', codec: 'transparent', value: (i) => `${i}`.padEnd(100, 'x') },
  { name: 'transparent (V8)', codec: 'transparent', value: valueOf },
  { name: 'json', codec: 'json', value: valueOf },
  { name: 'avro', codec: 'avro', value: valueOf },
];

// What a consumed record looks like: header values arrive as Buffers.
function asConsumed(record, offset) {
  const headers = record.headers?.map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v)])));
  return { topic: TOPIC, partition: 0, offset, key: null, value: record.value, headers, timestamp: 0, size: record.value.length };
}

function timeNs(n, fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / n;
}

/** Resolves to [{ name, encodeNs, decodeNs, bytes }] (medians of `runs`). */
export function runCodecs({ iterations, runs }) {
  return CODEC_CASES.map(({ name, codec: codecName, value }) => {
    const codec = new ElectronCodec({ codec: codecName, schemas: { [TOPIC]: SCHEMA } });
    const values = Array.from({ length: 1000 }, (_, i) => value(i));
    const consumed = values.map((v, i) => asConsumed(codec.encode(v, null, TOPIC, undefined, undefined), i));
    const encodes = [];
    const decodes = [];
    let sink = 0;
    for (let run = 0; run < runs + 1; run++) {
      const e = timeNs(iterations, () => {
        for (let i = 0; i < iterations; i++) sink += codec.encode(values[i % 1000], null, TOPIC, undefined, undefined).value.length;
      });
      const d = timeNs(iterations, () => {
        for (let i = 0; i < iterations; i++) sink += codec.decode(consumed[i % 1000]).offset;
      });
      if (run === 0) continue; // warm-up: the optimizing compiler's turn
      encodes.push(e);
      decodes.push(d);
    }
    if (sink === -1) console.log(sink);
    return { name, encodeNs: median(encodes), decodeNs: median(decodes), encodeRuns: encodes, decodeRuns: decodes, bytes: consumed[0].value.length };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = runCodecs({ iterations: Number(process.argv[2] ?? 200_000), runs: Number(process.argv[3] ?? 5) });
  for (const r of results) console.log(`${r.name.padEnd(20)} encode ${r.encodeNs.toFixed(0).padStart(6)} ns  decode ${r.decodeNs.toFixed(0).padStart(6)} ns  ${r.bytes} B`);
}
