// Memory of a big table (issue 15): `keys` distinct keys, one record each (4 partitions), through
// the counting link (links/table-count.mjs, at-least-once), once with --state-dir (LMDB) and once
// with --state-dir memory. The harness samples the process's /proc/<pid>/status every
// SAMPLE_EVERY_MS (RSS, and its anonymous and file-backed parts: LMDB's pages are a mapped file)
// until every record is counted and every count is out, then reads its peak RSS (VmHWM),
// process_resident_memory_bytes and catenae_table_entries on --metrics-port. A link that dies on
// the way (out of memory) is reported as such, with the entries it had and its sampled peak.
// Usage: node native-bench/table-memory.bench.mjs [keys=10000000] [variant,...=lmdb,memory]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { countRecords, createTopic, deleteTopics } from './kafka-tools.mjs';
import { procMemory } from './lib/bench-process.mjs';
import { freePort, readMetric, startCatenaeCount, untilEntries } from './lib/catenae-count.mjs';
import { inputSpec, produceInput } from './lib/keyed-input.mjs';
import { PARTITIONS, stateDir } from './tables.bench.mjs';

export const MEMORY_VARIANTS = ['lmdb', 'memory'];
const SAMPLE_EVERY_MS = 250;

async function memoryOnce({ brokers, input, keys, variant }) {
  const id = `bench_memory_${variant}_${Date.now().toString(36)}`;
  const output = `${id}_out`;
  await createTopic(brokers, output, PARTITIONS);
  const [dir, removeDir] = stateDir(id);
  const port = await freePort();
  const proc = startCatenaeCount({ brokers, input, output, group: id, stateDir: variant === 'memory' ? 'memory' : dir, count: keys, flags: ['--metrics-port', String(port)] });
  const peak = { rss: 0, anon: 0, file: 0 };
  let entriesSeen = 0;
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling; i++) {
      const m = procMemory(proc.pid);
      if (m) for (const field of Object.keys(peak)) peak[field] = Math.max(peak[field], m[field]);
      if (i % 8 === 0) entriesSeen = Math.max(entriesSeen, (await readMetric(port, 'catenae_table_entries')) || 0);
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  try {
    const { first } = await proc.untilMessage('first', 120_000);
    const { last } = await proc.untilMessage('last', 1_800_000);
    const entries = await untilEntries(proc, port, keys, 120_000);
    for (const deadline = Date.now() + 300_000; (await countRecords(brokers, output, PARTITIONS)) < keys; await sleep(500)) {
      if (Date.now() > deadline || proc.exitCode !== undefined) throw new Error(`${proc.name}: not every count out:\n${proc.stderr.slice(-15).join('\n')}`);
    }
    const metricRss = await readMetric(port, 'process_resident_memory_bytes');
    const memory = procMemory(proc.pid);
    const storeBytes = variant === 'memory' ? 0 : Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);
    return { rate: keys / ((last - first) / 1000), peakRssBytes: memory.peakRss, peakAnonBytes: peak.anon, peakFileBytes: peak.file, rssAtEndBytes: metricRss, entries, storeBytes };
  } catch (err) {
    if (proc.exitCode === undefined) throw err;
    // The link died (out of memory, say): what it reached is the figure.
    const why = proc.stderr.find((line) => /FATAL|out of memory|Error/.test(line)) ?? `exit ${proc.exitCode}`;
    return { failed: `${why.trim()} (exit ${proc.exitCode})`, entries: entriesSeen, peakRssBytes: peak.rss, peakAnonBytes: peak.anon, peakFileBytes: peak.file };
  } finally {
    sampling = false;
    await sampler;
    await proc.stop(60_000);
    removeDir();
    await deleteTopics(brokers, [output, `${id}.counts.changelog`]).catch(() => undefined);
  }
}

/** Produces `keys` distinct keys once and counts them with each variant; resolves to { [variant]: figures }. */
export async function runTableMemory({ brokers, keys, variants = MEMORY_VARIANTS, log = () => {} }) {
  const input = `bench_memory_in_${Date.now().toString(36)}`;
  await createTopic(brokers, input, PARTITIONS);
  try {
    log(`table memory: producing ${keys} distinct keys`);
    await produceInput(brokers, input, inputSpec('count', keys, keys));
    const results = {};
    for (const variant of variants) {
      log(`table memory: ${keys} keys, --state-dir ${variant === 'memory' ? 'memory' : '<dir> (LMDB)'}`);
      results[variant] = await memoryOnce({ brokers, input, keys, variant });
    }
    return results;
  } finally {
    await deleteTopics(brokers, [input]).catch(() => undefined);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const keys = Number(process.argv[2] ?? 10_000_000);
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const log = (line) => process.stderr.write(`[memory] ${line}\n`);
  const variants = process.argv[3]?.split(',') ?? MEMORY_VARIANTS;
  console.log(JSON.stringify(await runTableMemory({ brokers: `127.0.0.1:${port}`, keys, variants, log }), null, 2));
}
