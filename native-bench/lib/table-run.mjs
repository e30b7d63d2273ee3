// One run of a counting system (a Catenae link or the Kafka Streams program) over a pre-produced
// input, watched from outside until every key's final count is visible downstream:
// - throughput: input records / (first → last input record processed), as the system itself
//   stamps them (`{"first":ms}` and `{"last":ms}` on its stdout: a `peek` before the aggregation
//   in Kafka Streams, the handler in Catenae);
// - visible: from the first record processed until every final count is readable by a
//   read_committed consumer, found by polling the output's last stable offsets every
//   SAMPLE_EVERY_MS and comparing them with where the reader (final-counts-reader.mjs) found each
//   key's final count;
// - CPU seconds of the process and of the broker over that span (/proc/<pid>/stat, all threads),
//   and the process's peak RSS (VmHWM, from its start).
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Kafka from 'node-rdkafka';
import { BenchProcess, procCpuUs, procMemory } from './bench-process.mjs';

const READER = fileURLToPath(new URL('./final-counts-reader.mjs', import.meta.url));
const SAMPLE_EVERY_MS = 20;

/** Reads the last stable offsets of a topic's partitions (the high watermarks outside transactions). */
export async function openStableOffsets(brokers) {
  const consumer = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': brokers, 'group.id': `bench_lso_${Math.random().toString(36).slice(2)}`, 'isolation.level': 'read_committed' },
    {},
  );
  await new Promise((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  const one = (topic, partition) =>
    new Promise((resolve) => consumer.queryWatermarkOffsets(topic, partition, 5000, (err, w) => resolve(err ? -1 : w.highOffset)));
  return {
    /** One offset per partition; -1 where the broker did not answer (a leader moving). */
    read: (topic, partitions) => Promise.all(Array.from({ length: partitions }, (_, p) => one(topic, p))),
    close: () => new Promise((resolve) => consumer.disconnect(resolve)),
  };
}

function cpuAt(samples, t, field) {
  let value = samples[0][field];
  for (const s of samples) {
    if (s.t > t) break;
    value = s[field];
  }
  return value;
}

/**
 * Starts the reader, then `start()` (resolving to the BenchProcess under test), and resolves with
 * the run's figures once every final count is visible; stops both. `spec` is the input's (see
 * keyed-input.mjs); the output topic is fresh, with `partitions` partitions.
 */
export async function measureCountRun({ start, brokers, brokerPid, output, partitions, spec, timeoutMs = 300_000 }) {
  const reader = new BenchProcess('reader', ['-n', '19', process.execPath, READER], {
    BENCH_BROKERS: brokers,
    BENCH_TOPIC: output,
    BENCH_PARTITIONS: String(partitions),
    BENCH_EXPECT: JSON.stringify(spec),
  }, 'nice');
  const offsets = await openStableOffsets(brokers);
  let proc;
  try {
    await reader.untilMessage('ready', 60_000);
    proc = await start();
    const samples = [];
    const deadline = Date.now() + timeoutMs;
    const sample = async () => {
      const ends = await offsets.read(output, partitions);
      samples.push({ t: Date.now(), ends, cpuUs: procCpuUs(proc.pid), brokerCpuUs: procCpuUs(brokerPid) ?? 0 });
    };
    while (reader.message('done') === undefined) {
      if (proc.exitCode !== undefined) throw new Error(`${proc.name} exited (${proc.exitCode}) before every count was final:\n${proc.stderr.slice(-15).join('\n')}`);
      if (reader.exitCode !== undefined) throw new Error(`the reader exited (${reader.exitCode}):\n${reader.stderr.slice(-15).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`not every count final at ${output} within ${timeoutMs} ms; ${proc.name} said:\n${proc.stderr.slice(-15).join('\n')}`);
      await sample();
      await sleep(SAMPLE_EVERY_MS);
    }
    const done = reader.message('done').done;
    const isVisible = (s) => s.ends.every((end, p) => end >= done.finalEnds[p]);
    // The reader read every final count, so the offsets are past them: the next poll that answers
    // for every partition shows it (a loaded broker may time out on one now and then).
    for (let tries = 0; !isVisible(samples.at(-1) ?? { ends: [-1] }); tries++) {
      if (tries > 0) await sleep(SAMPLE_EVERY_MS);
      if (tries > 1000) throw new Error(`the stable offsets of ${output} never passed the final counts`);
      await sample();
    }
    const memory = procMemory(proc.pid);
    const { first } = await proc.untilMessage('first', 10_000);
    const { last } = await proc.untilMessage('last', 10_000);
    const visible = samples.find(isVisible);
    const before = samples.findLast((s) => s.t <= first) ?? samples[0];
    const cpu = (field) => (cpuAt(samples, visible.t, field) - before[field]) / 1e6;
    return {
      rate: spec.count / ((last - first) / 1000),
      processMs: last - first,
      visibleMs: visible.t - first,
      tailMs: visible.t - last,
      cpuS: cpu('cpuUs'),
      brokerCpuS: cpu('brokerCpuUs'),
      peakRssBytes: memory?.peakRss ?? NaN,
      outputRecords: done.records,
      above: done.above,
      unexpected: done.unexpected,
      // Meaningful with one output per input and a LogAppendTime output topic.
      appendRate: spec.count / ((done.lastAppendMs - done.firstAppendMs) / 1000),
    };
  } finally {
    // A link drains and commits on SIGTERM: give it time (a restore after it needs all of it).
    await proc?.stop(120_000);
    await reader.stop();
    await offsets.close();
  }
}
