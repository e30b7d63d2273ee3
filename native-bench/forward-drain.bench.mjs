// Drain time of a backlog through one forwarding middle stage on the local Kafka broker: the map
// stage of the pipeline benchmark written by hand on node-rdkafka, on KafkaJS, and as a Catenae
// link run by `catenae run`. Each run forwards the same backlog to a fresh LogAppendTime topic;
// the figure is the span of the broker's append timestamps there, so process start and group
// join count for none of them. The harness only polls the output's watermarks until the backlog
// is through, then stops the stage and reads the timestamps. Runs alternate.
// The stage's CPU per electron is its user + system time (/proc, all threads) between the first
// poll that saw an output and the poll that saw them all, over the records written in between.
// Usage: node native-bench/forward-drain.bench.mjs [backlog=200000] [runs=3] [variants=raw,kafkajs,catenae]
// Variant `catenae-silent` is the Catenae stage with `--announce-interval 0` (no announcements),
// `catenae+linger.ms=10` one with that --kafka-config setting, `catenae@dir` the link of another
// build of this repository at dir (see stageOf);
// `hand` stands for every named hand-written stage of pipeline/hand-stages.mjs, and `raw-…`
// names one (`raw-b5000-l0-q1m`); the report compares Catenae with the best of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchProcess } from './lib/bench-process.mjs';
import { catenaeProcess } from './lib/catenae-cli.mjs';
import { appendSpanMs, countRecords, createTopic, deleteTopics, produceBacklog } from './kafka-tools.mjs';
import { median } from './lib/stats.mjs';
import { HAND_VARIANTS, compareWithBestHand, handStageEnv, isHandVariant } from './pipeline/hand-stages.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const PARTITIONS = 4;
export const DRAIN_VARIANTS = ['raw', 'kafkajs', 'catenae'];

// BENCH_PROFILE_DIR=dir: profile every stage (node --cpu-prof), for profile-summary.mjs;
// BENCH_NODE_FLAGS: more node flags for every stage (`--heap-prof --heap-prof-dir=dir`).
const nodeFlags = [
  ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : []),
  ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
];

function stageOf(variant, brokers, input, output, group) {
  if (variant.startsWith('catenae')) {
    // `catenae-silent`: no announcements; `+key=value`: a --kafka-config setting; `@dir`: the
    // link from another checkout's build (before/after runs), e.g. catenae@/tmp/base+linger.ms=10.
    const [name, ...settings] = variant.split('+');
    const root = name.includes('@') ? name.slice(name.indexOf('@') + 1) : here('..');
    const extra = name.startsWith('catenae-silent') ? ['--announce-interval', '0'] : [];
    for (const setting of settings) extra.push('--kafka-config', setting);
    const cli = join(root, 'packages/cli/dist/bin.js');
    return catenaeProcess(`${variant}-map`, ['run', join(root, 'native-bench/links/pipeline-map.mjs'), '-k', brokers, '-i', input, '-o', output, '-g', group, '--log-level', 'warn', ...extra], { nodeFlags, cli });
  }
  const env = { BENCH_BROKERS: brokers, BENCH_IN: input, BENCH_OUT: output, BENCH_GROUP: group };
  if (isHandVariant(variant)) return new BenchProcess(`${variant}-map`, [...nodeFlags, here('pipeline/raw.mjs'), 'map'], { ...env, ...handStageEnv(variant) });
  return new BenchProcess(`${variant}-map`, [here(`pipeline/${variant}.mjs`), 'map'], env);
}

async function drainOnce(variant, brokers, input, backlog) {
  const tag = `${variant.replace(/[^A-Za-z0-9._-]/g, "_")}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const output = `bench_drain_out_${tag}`;
  await createTopic(brokers, output, PARTITIONS, { 'message.timestamp.type': 'LogAppendTime' });
  const stage = stageOf(variant, brokers, input, output, `bench_drain_${tag}`);
  try {
    const deadline = Date.now() + 180_000;
    let first; // { records, cpuUs } at the first poll that saw an output
    for (;;) {
      const records = await countRecords(brokers, output, PARTITIONS);
      const cpuUs = stage.cpuUs();
      if (records > 0) first ??= { records, cpuUs };
      if (records >= backlog) {
        await stage.stop();
        const rate = backlog / ((await appendSpanMs(brokers, output, backlog)) / 1000);
        return { rate, cpuNsPerElectron: ((cpuUs - first.cpuUs) * 1000) / (records - first.records) };
      }
      if (stage.exitCode !== undefined) throw new Error(`${variant} stage exited (${stage.exitCode}):\n${stage.stderr.slice(-10).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${variant} stage did not forward ${backlog} records in 180 s`);
      await sleep(100);
    }
  } finally {
    await stage.stop();
    await deleteTopics(brokers, [output]).catch(() => undefined);
  }
}

/**
 * Produces one backlog and drains it `runs` times per variant, alternating; resolves to
 * { variant: [{ rate, cpuNsPerElectron }] } in run order.
 */
export async function runDrainRounds({ brokers, backlog, runs, variants = DRAIN_VARIANTS, onRun = () => {}, onFailure = (v, err) => { throw err; } }) {
  const input = `bench_drain_in_${Date.now().toString(36)}`;
  await createTopic(brokers, input, PARTITIONS);
  await produceBacklog(brokers, input, backlog, 100);
  const results = Object.fromEntries(variants.map((v) => [v, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const variant of variants) {
        // A round that fails (a broker timeout on a machine shared with other test runs) is
        // reported and left out; the other variants' runs of that round still count.
        const result = await drainOnce(variant, brokers, input, backlog).catch((err) => (onFailure(variant, err, i), undefined));
        if (result === undefined) continue;
        results[variant].push(result);
        onRun(variant, result, i);
      }
    }
  } finally {
    await deleteTopics(brokers, [input]).catch(() => undefined);
  }
  return results;
}

/** As {@link runDrainRounds}; resolves to { variant: rates[] }. */
export async function runDrain(options) {
  const results = await runDrainRounds(options);
  return Object.fromEntries(Object.entries(results).map(([v, runs]) => [v, runs.map((r) => r.rate)]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backlog = Number(process.argv[2] ?? 200_000);
  const runs = Number(process.argv[3] ?? 3);
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const variants = (process.argv[4]?.split(',') ?? DRAIN_VARIANTS).flatMap((v) => (v === 'hand' ? HAND_VARIANTS : [v]));
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`forward drain of ${backlog} x 100 B, ${PARTITIONS} partitions, ${runs} rounds; load average ${load()}`);
  const onRun = (variant, r, i) => console.log(`  round ${i + 1} ${variant.padEnd(16)} ${Math.round(r.rate)}/s  ${Math.round(r.cpuNsPerElectron)} ns CPU/electron`);
  const onFailure = (variant, err, i) => console.log(`  round ${i + 1} ${variant} failed, left out: ${err.message.split('\n')[0]}`);
  const results = await runDrainRounds({ brokers: `127.0.0.1:${port}`, backlog, runs, variants, onRun, onFailure });
  console.log(`medians (load average now ${load()}):`);
  const show = (list, f, unit) => `${Math.round(median(list.map(f)))}${unit} (${list.map((r) => Math.round(f(r))).join(', ')})`;
  for (const [variant, list] of Object.entries(results)) {
    console.log(`  ${variant.padEnd(16)} ${show(list, (r) => r.rate, '/s')}  CPU ${show(list, (r) => r.cpuNsPerElectron, ' ns')}`);
  }
  compareWithBestHand(results, (r) => r.rate, (r) => r.cpuNsPerElectron);
}
