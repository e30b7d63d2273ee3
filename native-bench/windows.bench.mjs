// Windows over event time (issue 17) against Kafka Streams on the local broker: a count per key
// and 1-minute tumbling window of the records' timestamps over one pre-produced input topic
// (4 partitions, `count` records over `keys` keys, timestamps spread evenly over an hour, in order
// per partition), measured as the table count is (tables.bench.mjs, lib/table-run.mjs): Kafka
// Streams' windowedBy(TimeWindows.ofSizeWithNoGrace(1 min)).count() with defaults and with its
// record cache off, and the Catenae windowed link (CATENAE_WINDOW_LINK below).
// Usage: node native-bench/windows.bench.mjs [count=1000000] [keys=10000] [runs=3]
import { fileURLToPath } from 'node:url';
import { createTopic, deleteTopics } from './kafka-tools.mjs';
import { buildKafkaStreams } from './lib/kafka-streams.mjs';
import { inputSpec, produceInput } from './lib/keyed-input.mjs';
import { brokerPid } from './pipeline.bench.mjs';
import { PARTITIONS, countOnce } from './tables.bench.mjs';

// The Catenae side: links/window-count.mjs counts per key and 1-minute tumbling window of the
// electron's timestamp in a windowed table named `counts` and emits each electron's count so far.
const CATENAE_WINDOW_LINK = './links/window-count.mjs';

/** The systems of the windowed count, in the order they run within a round. */
export const WINDOW_SYSTEMS = [...(CATENAE_WINDOW_LINK ? ['catenae'] : []), 'ks-default', 'ks-nocache'];

/**
 * Produces the input once (event time over `spanMs`) and runs every system `runs` times,
 * alternating (at-least-once); resolves to { [system]: figures[] }.
 */
export async function runWindowedCounts({ brokers, brokerPid, count, keys, runs, spanMs = 3_600_000, systems = WINDOW_SYSTEMS, log = () => {} }) {
  const classpath = await buildKafkaStreams(log);
  const input = `bench_windows_in_${Date.now().toString(36)}`;
  const spec = inputSpec('windowed', count, keys, spanMs);
  await createTopic(brokers, input, PARTITIONS);
  log(`producing ${count} records over ${keys} keys, event time over ${spec.spanMs / 60_000} minutes`);
  await produceInput(brokers, input, spec);
  const results = Object.fromEntries(systems.map((s) => [s, []]));
  try {
    for (let run = 0; run < runs; run++) {
      for (const system of systems) {
        log(`windowed count ${system}, run ${run + 1}/${runs}`);
        const link = system === 'catenae' ? fileURLToPath(new URL(CATENAE_WINDOW_LINK, import.meta.url)) : undefined;
        const store = system === 'catenae' ? 'counts' : 'window-counts';
        results[system].push(await countOnce({ system, mode: 'at-least-once', brokers, brokerPid, classpath, input, spec, ksMode: 'windowed-count', link, store }));
      }
    }
  } finally {
    await deleteTopics(brokers, [input]).catch(() => undefined);
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [count = 1_000_000, keys = 10_000, runs = 3] = process.argv.slice(2).map(Number);
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const log = (line) => process.stderr.write(`[windows] ${line}\n`);
  console.log(JSON.stringify(await runWindowedCounts({ brokers: `127.0.0.1:${port}`, brokerPid: brokerPid(port), count, keys, runs, log }), null, 2));
}
