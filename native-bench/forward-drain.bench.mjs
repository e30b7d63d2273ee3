// Drain time of a backlog through one forwarding middle stage on the local Kafka broker: the map
// stage of the pipeline benchmark written by hand on node-rdkafka, on KafkaJS, and as a Catenae
// link run by `catenae run`. Each run forwards the same backlog to a fresh LogAppendTime topic;
// the figure is the span of the broker's append timestamps there, so process start and group
// join count for none of them. The harness only polls the output's watermarks until the backlog
// is through, then stops the stage and reads the timestamps. Runs alternate.
// Usage: node native-bench/forward-drain.bench.mjs [backlog=200000] [runs=3] [variants=raw,kafkajs,catenae]
// Variant `catenae-silent` is the Catenae stage with `--announce-interval 0` (no announcements).
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchProcess } from './lib/bench-process.mjs';
import { appendSpanMs, countRecords, createTopic, deleteTopics, produceBacklog } from './kafka-tools.mjs';
import { median } from './lib/stats.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const PARTITIONS = 4;
export const DRAIN_VARIANTS = ['raw', 'kafkajs', 'catenae'];

function stageOf(variant, brokers, input, output, group) {
  if (variant === 'catenae' || variant === 'catenae-silent') {
    const silent = variant === 'catenae-silent' ? ['--announce-interval', '0'] : [];
    return new BenchProcess(`${variant}-map`, [here('../packages/cli/dist/bin.js'), 'run', here('links/pipeline-map.mjs'), '-k', brokers, '-i', input, '-o', output, '-g', group, '--log-level', 'warn', ...silent]);
  }
  return new BenchProcess(`${variant}-map`, [here(`pipeline/${variant}.mjs`), 'map'], { BENCH_BROKERS: brokers, BENCH_IN: input, BENCH_OUT: output, BENCH_GROUP: group });
}

async function drainOnce(variant, brokers, input, backlog) {
  const tag = `${variant}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const output = `bench_drain_out_${tag}`;
  await createTopic(brokers, output, PARTITIONS, { 'message.timestamp.type': 'LogAppendTime' });
  const stage = stageOf(variant, brokers, input, output, `bench_drain_${tag}`);
  try {
    const deadline = Date.now() + 180_000;
    while ((await countRecords(brokers, output, PARTITIONS)) < backlog) {
      if (stage.exitCode !== undefined) throw new Error(`${variant} stage exited (${stage.exitCode}):\n${stage.stderr.slice(-10).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${variant} stage did not forward ${backlog} records in 180 s`);
      await sleep(250);
    }
    await stage.stop();
    return backlog / ((await appendSpanMs(brokers, output, backlog)) / 1000);
  } finally {
    await stage.stop();
    await deleteTopics(brokers, [output]).catch(() => undefined);
  }
}

/** Produces one backlog and drains it `runs` times per variant; resolves to { variant: rates[] }. */
export async function runDrain({ brokers, backlog, runs, variants = DRAIN_VARIANTS }) {
  const input = `bench_drain_in_${Date.now().toString(36)}`;
  await createTopic(brokers, input, PARTITIONS);
  await produceBacklog(brokers, input, backlog, 100);
  const rates = Object.fromEntries(variants.map((v) => [v, []]));
  try {
    for (let i = 0; i < runs; i++) for (const variant of variants) rates[variant].push(await drainOnce(variant, brokers, input, backlog));
  } finally {
    await deleteTopics(brokers, [input]).catch(() => undefined);
  }
  return rates;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backlog = Number(process.argv[2] ?? 200_000);
  const runs = Number(process.argv[3] ?? 3);
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const variants = process.argv[4]?.split(',') ?? DRAIN_VARIANTS;
  const rates = await runDrain({ brokers: `127.0.0.1:${port}`, backlog, runs, variants });
  const show = (xs) => `${Math.round(median(xs))}/s (runs: ${xs.map((x) => Math.round(x)).join(', ')})`;
  console.log(`forward drain of ${backlog} x 100 B, ${PARTITIONS} partitions:`);
  for (const [variant, xs] of Object.entries(rates)) console.log(`  ${variant.padEnd(8)} ${show(xs)}`);
  if (rates.catenae && rates.raw) console.log(`  ratio catenae/raw: ${(median(rates.catenae) / median(rates.raw)).toFixed(3)}`);
  if (rates.catenae && rates['catenae-silent']) console.log(`  ratio catenae/catenae-silent: ${(median(rates.catenae) / median(rates['catenae-silent'])).toFixed(3)}`);
}
