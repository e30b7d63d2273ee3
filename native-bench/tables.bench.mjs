// Keyed tables (issue 15) against Kafka Streams on the local broker, side by side:
// 1. A count per key over one pre-produced input topic (4 partitions, `count` records over `keys`
//    keys), each run into a fresh output topic with fresh groups and state: the Catenae counting
//    link (links/table-count.mjs, `--state-dir`) and Kafka Streams' groupByKey().count()
//    (kafka-streams/, defaults, and with its record cache off so it emits every update like the
//    link), in at-least-once and in exactly-once (`--eos` / exactly_once_v2). Systems alternate
//    within each round. Figures: lib/table-run.mjs.
// 2. After each Catenae count: a fresh instance of the same group with an empty state directory
//    restores the table from its changelog.
// 3. Restores of a bigger table (`restoreKeys` keys, one record each, at-least-once): kill -9 of
//    the link half-way, a restart with its state directory (the local store; only the changelog's
//    tail is replayed), then a fresh instance with an empty state directory (the whole changelog),
//    then a restart with the state directory after a clean stop.
// Usage: node native-bench/tables.bench.mjs [count=1000000] [keys=10000] [runs=3] [restoreKeys=1000000]
// (BENCH_SYSTEMS=catenae,ks-default,ks-nocache, BENCH_MODES=at-least-once,exactly-once and
// BENCH_CATENAE_FLAGS='--kafka-config linger.ms=5' narrow or vary a run.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { countRecords, createTopic, deleteTopics } from './kafka-tools.mjs';
import { startAndMeasureRestore, startCatenaeCount, stopCleanly, untilCommitted, untilEntries } from './lib/catenae-count.mjs';
import { buildKafkaStreams, startKafkaStreams } from './lib/kafka-streams.mjs';
import { inputSpec, produceInput } from './lib/keyed-input.mjs';
import { summarize } from './lib/stats.mjs';
import { measureCountRun } from './lib/table-run.mjs';
import { brokerPid } from './pipeline.bench.mjs';

export const PARTITIONS = 4;
/** The systems of the count, in the order they run within a round. */
export const COUNT_SYSTEMS = ['catenae', 'ks-default', 'ks-nocache'];
export const COUNT_MODES = ['at-least-once', 'exactly-once'];
const KS_GUARANTEE = { 'at-least-once': 'at_least_once', 'exactly-once': 'exactly_once_v2' };
// A killed member keeps its partitions until its session times out: 6 s is the broker's minimum.
const SESSION_TIMEOUT = ['--kafka-config', 'session.timeout.ms=6000'];

/** BENCH_CATENAE_FLAGS: more `catenae run` flags for the Catenae counts (space-separated), to try settings. */
const catenaeFlags = () => process.env.BENCH_CATENAE_FLAGS?.split(' ').filter(Boolean) ?? [];

const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;

/** A fresh directory for one process's state, removed by the returned function. */
export function stateDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

/**
 * One count run of `system` in `mode` over `input`; resolves with lib/table-run.mjs's figures plus
 * `changelogRecords` (the changelog's offsets: transaction markers included under exactly-once)
 * and, for Catenae, `restore` (a fresh instance restoring the table, see startAndMeasureRestore).
 */
export async function countOnce({ system, mode, brokers, brokerPid, classpath, input, spec, ksMode = 'count', link, store = 'counts' }) {
  const id = `bench_${system.replace('-', '')}_${mode === 'exactly-once' ? 'eos' : 'alos'}_${tag()}`;
  const output = `${id}_out`;
  await createTopic(brokers, output, PARTITIONS, { 'message.timestamp.type': 'LogAppendTime' });
  const [dir, removeDir] = stateDir(id);
  const eos = mode === 'exactly-once';
  const changelog = system === 'catenae' ? `${id}.${store}.changelog` : `${id}-${store}-changelog`;
  try {
    const start = () =>
      system === 'catenae'
        ? startCatenaeCount({ brokers, input, output, group: id, stateDir: dir, eos, count: spec.count, link, flags: catenaeFlags() })
        : startKafkaStreams(classpath, { mode: ksMode, brokers, input, output, appId: id, stateDir: dir, guarantee: KS_GUARANTEE[mode], cache: system === 'ks-nocache' ? 'off' : 'default', expect: spec.count });
    const figures = await measureCountRun({ start, brokers, brokerPid, output, partitions: PARTITIONS, spec });
    figures.changelogRecords = await countRecords(brokers, changelog, PARTITIONS);
    if (system === 'catenae' && ksMode === 'count') {
      // Stopped by now: every change it made is in the changelog once its input is all committed
      // (its last commits may still be reaching the coordinator's view of a group it just left).
      await untilCommitted({ brokers, group: id, topic: input, partitions: PARTITIONS, timeoutMs: 30_000 });
      const [freshDir, removeFresh] = stateDir(`${id}-restore`);
      try {
        const { proc, figures: restore } = await startAndMeasureRestore({ brokers, input, output, group: id, stateDir: freshDir, eos, entries: spec.keys });
        await stopCleanly(proc);
        figures.restore = restore;
      } finally {
        removeFresh();
      }
    }
    return figures;
  } finally {
    removeDir();
    await deleteTopics(brokers, [output, changelog]).catch(() => undefined);
  }
}

/** Produces the input once and runs every system in every mode `runs` times, alternating; resolves to { [mode]: { [system]: figures[] } }. */
export async function runTableCounts({ brokers, brokerPid, count, keys, runs, systems = COUNT_SYSTEMS, modes = COUNT_MODES, log = () => {} }) {
  const classpath = systems.some((s) => s.startsWith('ks')) ? await buildKafkaStreams(log) : undefined;
  const input = `bench_tables_in_${tag()}`;
  const spec = inputSpec('count', count, keys);
  await createTopic(brokers, input, PARTITIONS);
  log(`producing ${count} records over ${keys} keys`);
  await produceInput(brokers, input, spec);
  const results = Object.fromEntries(modes.map((mode) => [mode, Object.fromEntries(systems.map((s) => [s, []]))]));
  try {
    for (let run = 0; run < runs; run++) {
      for (const mode of modes) {
        for (const system of systems) {
          log(`table count ${system} ${mode}, run ${run + 1}/${runs}`);
          results[mode][system].push(await countOnce({ system, mode, brokers, brokerPid, classpath, input, spec }));
        }
      }
    }
  } finally {
    await deleteTopics(brokers, [input]).catch(() => undefined);
  }
  return results;
}

async function untilOutput(brokers, topic, records, proc, timeoutMs = 300_000) {
  for (const deadline = Date.now() + timeoutMs; (await countRecords(brokers, topic, PARTITIONS)) < records; ) {
    if (proc.exitCode !== undefined) throw new Error(`${proc.name} exited (${proc.exitCode}):\n${proc.stderr.slice(-15).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`fewer than ${records} records at ${topic} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Restores of a table of `keys` keys (one input record each, at-least-once): resolves to
 * { afterKill, fromChangelog, afterStop } (startAndMeasureRestore's figures) and
 * `changelogAtKill`, the changelog's records when the first instance was killed.
 */
export async function runRestores({ brokers, keys, log = () => {} }) {
  const id = `bench_restore_${tag()}`;
  const [input, output, changelog] = [`${id}_in`, `${id}_out`, `${id}.counts.changelog`];
  await createTopic(brokers, input, PARTITIONS);
  await createTopic(brokers, output, PARTITIONS);
  const [dir, removeDir] = stateDir(id);
  const common = { brokers, input, output, group: id, flags: SESSION_TIMEOUT };
  try {
    log(`restores: producing ${keys} keys, one record each`);
    await produceInput(brokers, input, inputSpec('count', keys, keys));
    const first = startCatenaeCount({ ...common, stateDir: dir, count: keys });
    try {
      await untilOutput(brokers, output, keys / 2, first);
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      await first.stop();
    }
    const changelogAtKill = await countRecords(brokers, changelog, PARTITIONS);
    log(`restores: killed at ${changelogAtKill} changelog records; restarting with the state directory once the session timed out`);
    await sleep(7000);
    const killed = await startAndMeasureRestore({ ...common, stateDir: dir });
    await untilEntries(killed.proc, killed.port, keys, 300_000);
    // Not its committed offsets: an instance never commits the input its restore skipped (see
    // RESULTS.md). A clean stop writes every change; the next restore checks all keys are there.
    await stopCleanly(killed.proc);
    log('restores: a fresh instance, empty state directory');
    const [freshDir, removeFresh] = stateDir(`${id}-fresh`);
    let fromChangelog;
    try {
      const fresh = await startAndMeasureRestore({ ...common, stateDir: freshDir, entries: keys });
      await stopCleanly(fresh.proc);
      fromChangelog = fresh.figures;
    } finally {
      removeFresh();
    }
    log('restores: a restart with the state directory after a clean stop');
    const again = await startAndMeasureRestore({ ...common, stateDir: dir, entries: keys });
    await stopCleanly(again.proc);
    return { keys, changelogAtKill, changelogTotal: await countRecords(brokers, changelog, PARTITIONS), afterKill: killed.figures, fromChangelog, afterStop: again.figures };
  } finally {
    removeDir();
    await deleteTopics(brokers, [input, output, changelog]).catch(() => undefined);
  }
}

/** Medians (with spreads) of every figure of a list of runs' figures. */
export function summarizeRuns(runs) {
  const fields = Object.keys(runs[0] ?? {}).filter((k) => typeof runs[0][k] === 'number');
  const out = Object.fromEntries(fields.map((f) => [f, summarize(runs.map((r) => r[f]))]));
  if (runs[0]?.restore) out.restore = summarizeRuns(runs.map((r) => r.restore));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [count = 1_000_000, keys = 10_000, runs = 3, restoreKeys = 1_000_000] = process.argv.slice(2).map(Number);
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const brokers = `127.0.0.1:${port}`;
  const log = (line) => process.stderr.write(`[tables] ${line}\n`);
  // BENCH_SYSTEMS / BENCH_MODES (comma-separated) run a subset, to iterate on one row.
  const subset = (name, all) => process.env[name]?.split(',').filter((x) => all.includes(x)) ?? all;
  const [systems, modes] = [subset('BENCH_SYSTEMS', COUNT_SYSTEMS), subset('BENCH_MODES', COUNT_MODES)];
  const counts = await runTableCounts({ brokers, brokerPid: brokerPid(port), count, keys, runs, systems, modes, log });
  // Printed before the restores start: a restore that fails leaves the counts measured.
  console.log(JSON.stringify({ counts }, null, 2));
  if (restoreKeys > 0) console.log(JSON.stringify({ restores: await runRestores({ brokers, keys: restoreKeys, log }) }, null, 2));
}
