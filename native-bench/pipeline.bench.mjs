// The 3-stage pipeline (source -> map -> sink, 100-byte values, 4 partitions) written four ways,
// each stage its own process except the embedded one:
//   raw      by hand on node-rdkafka (pipeline/raw.mjs)
//   kafkajs  by hand on KafkaJS (pipeline/kafkajs.mjs)
//   catenae  three Catenae links, each a `catenae run -k` process (links/pipeline-*.mjs)
//   embedded the same three links in one `catenae run` process on the embedded broker (no -k)
// A run starts the stages on fresh topics and groups, waits until the consumers own their
// partitions, then says `go` to the source and waits for the sink to have every electron.
// Throughput is electrons / (go -> sink done); CPU per electron sums every stage process's
// user+system time over the same span (/proc; a source that ended reports its own at exit).
// Latency runs send at fixed rates with a send stamp; the sink reports percentiles per rate.
// `raw-…` variants are the hand pipeline with another middle stage (pipeline/hand-stages.mjs;
// `hand` stands for all of them); with BENCH_ROUNDS=n the variants alternate n rounds and the
// medians are compared, Catenae against the best hand variant (map-stage CPU included).
// Usage: [BENCH_COUNT=n] [BENCH_ROUNDS=n] [BENCH_PROFILE_DIR=dir] node native-bench/pipeline.bench.mjs [throughput|latency] [variant...]
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BenchProcess, procCpuUs } from './lib/bench-process.mjs';
import { catenaeProcess } from './lib/catenae-cli.mjs';
import { createTopic, deleteTopics } from './kafka-tools.mjs';
import { median } from './lib/stats.mjs';
import { HAND_VARIANTS, compareWithBestHand, handStageEnv, isHandVariant } from './pipeline/hand-stages.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const ASSIGNED = /\bassigned \S+\[/;
const READY_TIMEOUT_MS = 60_000;

/** librdkafka settings of the latency runs, the same for the hand pipeline and the links. */
export const LOW_LATENCY_CONFIG = { 'linger.ms': '0', 'socket.nagle.disable': 'true' };

export const VARIANTS = ['raw', 'kafkajs', 'catenae', 'embedded'];

/** The local broker's pid (for its CPU time), if this machine runs it. */
export function brokerPid(port) {
  try {
    return Number(readFileSync(join(homedir(), '.cache', 'catenae', `kafka-${port}`, 'kafka.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

function stagesOf(variant, names, env, extraArgs, mapFlags) {
  const { source, mapped, mapGroup, sinkGroup, brokers } = names;
  if (isHandVariant(variant) || variant === 'kafkajs') {
    const file = here(`pipeline/${variant === 'kafkajs' ? variant : 'raw'}.mjs`);
    const mapEnv = variant === 'kafkajs' ? {} : handStageEnv(variant);
    return [
      new BenchProcess(`${variant}-sink`, [file, 'sink'], { ...env, BENCH_IN: mapped, BENCH_GROUP: sinkGroup }),
      new BenchProcess(`${variant}-map`, [...mapFlags, file, 'map'], { ...env, ...mapEnv, BENCH_IN: source, BENCH_OUT: mapped, BENCH_GROUP: mapGroup }),
      new BenchProcess(`${variant}-source`, [file, 'source'], { ...env, BENCH_OUT: source }),
    ];
  }
  const common = ['--log-level', 'info', ...extraArgs];
  if (variant === 'catenae') {
    return [
      catenaeProcess('catenae-sink', ['run', here('links/pipeline-sink.mjs'), '-k', brokers, '-i', mapped, '-g', sinkGroup, ...common], { env }),
      catenaeProcess('catenae-map', ['run', here('links/pipeline-map.mjs'), '-k', brokers, '-i', source, '-o', mapped, '-g', mapGroup, ...common], { env, nodeFlags: mapFlags }),
      catenaeProcess('catenae-source', ['run', here('links/pipeline-source.mjs'), '-k', brokers, '-o', source, ...common], { env }),
    ];
  }
  // The source last: `catenae run` starts links in order and the source's setup waits for `go`.
  const links = ['sink', 'map', 'source'].map((stage) => here(`links/pipeline-${stage}.mjs`));
  return [catenaeProcess('embedded', ['run', ...links, ...common], { env })];
}

async function untilReady(variant, stages) {
  if (isHandVariant(variant) || variant === 'kafkajs') return Promise.all(stages.map((p) => p.untilMessage('ready', READY_TIMEOUT_MS)));
  if (variant === 'catenae') {
    const [sink, map, source] = stages;
    return Promise.all([sink.untilLog(ASSIGNED, READY_TIMEOUT_MS), map.untilLog(ASSIGNED, READY_TIMEOUT_MS), source.untilMessage('ready', READY_TIMEOUT_MS)]);
  }
  const [both] = stages;
  return Promise.all([both.untilLog(ASSIGNED, READY_TIMEOUT_MS, 2), both.untilMessage('ready', READY_TIMEOUT_MS)]);
}

/**
 * One run of one variant. `settings`: { mode, count, rates, phaseMs, warmupMs }; `brokers`;
 * `brokerPid` (optional); `mapFlags`: node flags of the map stage's process (e.g. --cpu-prof).
 * Resolves to { rate, cpuNsPerElectron, stageCpuNsPerElectron, brokerCpuNsPerElectron, latency }.
 */
export async function runPipeline(variant, settings, { brokers, brokerPid: javaPid, latencyConfig = LOW_LATENCY_CONFIG, mapFlags = [] }) {
  const tag = `${variant}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const names = { brokers, source: `bench_src_${tag}`, mapped: `bench_map_${tag}`, mapGroup: `bench_map_${tag}`, sinkGroup: `bench_sink_${tag}` };
  const isKafka = variant !== 'embedded';
  if (isKafka) await Promise.all([createTopic(brokers, names.source, 4), createTopic(brokers, names.mapped, 4)]);
  const env = {
    BENCH_MODE: settings.mode,
    BENCH_COUNT: String(settings.count),
    BENCH_RATES: settings.rates.join(','),
    BENCH_PHASE_MS: String(settings.phaseMs),
    BENCH_WARMUP_MS: String(settings.warmupMs),
    BENCH_BROKERS: brokers,
  };
  const extraArgs = [];
  if (settings.mode === 'latency' && variant === 'catenae') {
    for (const [key, value] of Object.entries(latencyConfig)) extraArgs.push('--kafka-config', `${key}=${value}`);
  }
  const stages = stagesOf(variant, names, env, extraArgs, mapFlags);
  const sink = stages[0];
  const source = stages[stages.length - 1];
  try {
    await untilReady(variant, stages);
    const cpuBefore = stages.map((p) => p.cpuUs());
    const brokerBefore = javaPid ? procCpuUs(javaPid) : undefined;
    const started = performance.now();
    source.go();
    const expectedMs = settings.mode === 'latency' ? settings.rates.length * (settings.phaseMs + settings.warmupMs) : settings.count / 5;
    const done = await sink.untilMessage('done', 60_000 + expectedMs * 3);
    const seconds = (performance.now() - started) / 1000;
    // A source that already ended reports its CPU at exit: give it a moment to be gone or seen.
    if (source.exitCode !== undefined) await source.exited;
    const stageUs = stages.map((p, i) => (p.cpuUs() ?? NaN) - cpuBefore[i]);
    const cpuUs = stageUs.reduce((a, b) => a + b, 0);
    const brokerUs = brokerBefore === undefined ? NaN : procCpuUs(javaPid) - brokerBefore;
    const n = done.received;
    return {
      rate: n / seconds,
      cpuNsPerElectron: (cpuUs * 1000) / n,
      // sink, map, source (one process for the embedded variant)
      stageCpuNsPerElectron: stageUs.map((us) => (us * 1000) / n),
      brokerCpuNsPerElectron: (brokerUs * 1000) / n,
      latency: done.latency,
    };
  } finally {
    await Promise.all(stages.map((p) => p.stop()));
    if (isKafka) await deleteTopics(brokers, [names.source, names.mapped]).catch(() => undefined);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2] ?? 'throughput';
  const variants = process.argv.slice(3);
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const brokers = `127.0.0.1:${port}`;
  const settings = { mode, count: Number(process.env.BENCH_COUNT ?? 200_000), rates: [1000, 5000, 10000], phaseMs: 5000, warmupMs: 1000 };
  // BENCH_PROFILE_DIR: profile the map stage (node --cpu-prof), for profile-summary.mjs.
  const mapFlags = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  const chosen = (variants.length > 0 ? variants : mode === 'latency' ? ['raw', 'catenae'] : VARIANTS).flatMap((v) => (v === 'hand' ? HAND_VARIANTS : [v]));
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`pipeline ${mode}, ${settings.count} electrons, ${rounds} round(s); load average ${load()}`);
  const results = Object.fromEntries(chosen.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of chosen) {
      const result = await runPipeline(variant, settings, { brokers, brokerPid: brokerPid(port), mapFlags });
      results[variant].push(result);
      console.log(variant, JSON.stringify(result));
    }
  }
  if (mode === 'throughput' && rounds > 1) {
    // stageCpuNsPerElectron is [sink, map, source]
    const mapCpu = (r) => r.stageCpuNsPerElectron[1];
    console.log(`medians (load average now ${load()}):`);
    for (const [variant, runs] of Object.entries(results)) {
      const m = (f) => Math.round(median(runs.map(f)));
      console.log(`  ${variant.padEnd(16)} ${m((r) => r.rate)}/s  CPU all stages ${m((r) => r.cpuNsPerElectron)} ns, map ${m(mapCpu)} ns per electron`);
    }
    compareWithBestHand(results, (r) => r.rate, mapCpu);
  }
}
