import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../../native-bench/run.mjs', import.meta.url));
const KAFKA = process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092';

// `pnpm bench` in miniature (a few thousand electrons, one run), so the harness cannot rot
// unnoticed. It asserts that every benchmark ran and printed its table, never a timing. The table
// benchmarks build the Kafka Streams program with Maven the first time (cached after).
test('the benchmark harness runs every benchmark and prints every table (--smoke)', { timeout: 300_000 }, async () => {
  const child = spawn(process.execPath, [RUN, '--smoke'], {
    env: { ...process.env, KAFKA_PORT: KAFKA.split(':').pop() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, `run.mjs --smoke exited ${code}:\n${stderr.slice(-3000)}`);
  for (const line of [
    '### Goals of issue 11, this run',
    '| node-rdkafka by hand |',
    '| KafkaJS by hand |',
    '| Catenae, `catenae run -k` ×3 |',
    '| Catenae, embedded (one process) |',
    '### Drain of a 2,000-electron backlog through one middle stage',
    '### Embedded broker, one link',
    '| 1,000/s | node-rdkafka by hand |',
    '| 1,000/s | Catenae, `catenae run -k` ×3 |',
    '| transparent (V8) |',
    '| avro |',
    '| `TestDriver.rpc`, embedded broker, one process |',
    '### Goals of issues 15 and 17, this run',
    '### Keyed tables: a count per key, Catenae against Kafka Streams (5,000 records over 100 keys)',
    '| Catenae, `catenae run --state-dir` (LMDB) |',
    '| Kafka Streams, cache off (`statestore.cache.max.bytes=0`) |',
    '#### `--eos` / KS `exactly_once_v2`',
    '### Restores of a table (Catenae, `--state-dir`)',
    '| 5,000 keys | the changelog (',
    '### Windows: a count per key and 1-minute tumbling window of event time',
  ]) {
    assert.ok(stdout.includes(line), `no "${line}" in the output:\n${stdout}`);
  }
  // No assertion on the figures themselves: a smoke-sized backlog drains within one broker
  // timestamp (LogAppendTime has millisecond steps), so its rate prints as n/a or NaN.
});
