// `pnpm bench`: the benchmarks of issues 11, 15 and 17 in one run, on the local Kafka broker
// (started here unless it answers already; left running either way). Writes
// native-bench/out/results.json and out/chart.svg, prints the tables, and rewrites the generated
// parts of native-bench/RESULTS.md (between their markers; other sections stay) and
// native-bench/chart.svg.
// Usage: node native-bench/run.mjs [--smoke] [--runs N] [--only throughput,drain,embedded,latency,codecs,rpc,tables,windows,table-memory]
//   --smoke: a few thousand electrons, one run, nothing written outside out/ (for CI; no timing asserted)
//   table-memory (10M keys, about ten minutes) runs only when named in --only. A full run rewrites
//   every generated part of RESULTS.md it ran; an --only run rewrites the part of the tables
//   (when it ran `tables`) or of the memory, never issue 11's.
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderChart } from './chart.mjs';
import { runCodecs } from './codecs.bench.mjs';
import { runEmbeddedLink } from './embedded-link.bench.mjs';
import { runDrain } from './forward-drain.bench.mjs';
import { summarize } from './lib/stats.mjs';
import { LOW_LATENCY_CONFIG, VARIANTS, brokerPid, runPipeline } from './pipeline.bench.mjs';
import { BEGIN, END, MEMORY_BEGIN, MEMORY_END, TABLES_BEGIN, TABLES_END, renderMemory, renderResults, renderTables } from './results-md.mjs';
import { rpcOnTestDriver, rpcOverKafka } from './rpc.bench.mjs';
import { runTableMemory } from './table-memory.bench.mjs';
import { COUNT_SYSTEMS, runRestores, runTableCounts, summarizeRuns } from './tables.bench.mjs';
import { WINDOW_SYSTEMS, runWindowedCounts } from './windows.bench.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const { values: flags } = parseArgs({ options: { smoke: { type: 'boolean' }, runs: { type: 'string' }, only: { type: 'string' } } });
const smoke = flags.smoke === true;
const sections = new Set((flags.only ?? 'throughput,drain,embedded,latency,codecs,rpc,tables,windows').split(','));
const port = Number(process.env.KAFKA_PORT ?? 9092);
const brokers = `127.0.0.1:${port}`;
const settings = smoke
  ? { runs: 1, count: 5000, backlog: 2000, embeddedCount: 5000, rates: [1000], phaseMs: 1000, warmupMs: 500, codecIterations: 2000, codecRuns: 1, rpcCalls: 20, tableCount: 5000, tableKeys: 100, restoreKeys: 5000, memoryKeys: 20_000, windowSpanMs: 300_000 }
  : { runs: 3, count: 1_000_000, backlog: 200_000, embeddedCount: 1_000_000, rates: [1000, 5000, 10000], phaseMs: 8000, warmupMs: 1000, codecIterations: 200_000, codecRuns: 5, rpcCalls: 500, tableCount: 1_000_000, tableKeys: 10_000, restoreKeys: 1_000_000, memoryKeys: 10_000_000, windowSpanMs: 3_600_000 };
// Kafka Streams with its defaults waits for its commit interval (30 s in at-least-once) to flush
// its cache: the smoke run leaves that configuration out (the code path is the cache-off one's).
const tableSystems = smoke ? COUNT_SYSTEMS.filter((s) => s !== 'ks-default') : COUNT_SYSTEMS;
if (flags.runs) settings.runs = Number(flags.runs);
settings.latencyConfig = LOW_LATENCY_CONFIG;
const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const kafka = await import(here('../packages/kafka/dist/index.js'));
const needsKafka = ['throughput', 'drain', 'latency', 'rpc', 'tables', 'windows', 'table-memory'].some((s) => sections.has(s));
if (needsKafka) await kafka.kafkaUp({ port, logger: { info: log } });
const javaPid = brokerPid(port);

const cpus = os.cpus();
const git = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: here('..') }).toString().trim();
  } catch {
    return 'unknown';
  }
})();
const java = (() => {
  try {
    return /version "([^"]+)"/.exec(execSync('java -version 2>&1').toString())?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
const results = {
  machine: {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    summary: `${cpus.length} cores, node ${process.version}`,
    description: `${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}, Kafka 4.1.1 single-node KRaft broker on the same machine (heap 1 GiB), node-rdkafka 3.6.1 (librdkafka 2.12.0), KafkaJS 2.2.4, Kafka Streams 4.1.1 on Java ${java} (JVM defaults), commit ${git}`,
    loadAverage: { start: os.loadavg()[0] },
  },
  settings,
};
const started = performance.now();

if (sections.has('throughput')) {
  const raw = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let run = 0; run < settings.runs; run++) {
    for (const variant of VARIANTS) {
      log(`throughput ${variant}, run ${run + 1}/${settings.runs}`);
      raw[variant].push(await runPipeline(variant, { mode: 'throughput', count: settings.count, rates: settings.rates, phaseMs: 0, warmupMs: 0 }, { brokers, brokerPid: javaPid }));
    }
  }
  results.throughput = Object.fromEntries(
    VARIANTS.map((v) => [
      v,
      {
        rate: summarize(raw[v].map((x) => x.rate)),
        cpuUs: summarize(raw[v].map((x) => x.cpuNsPerElectron / 1000)),
        brokerCpuUs: summarize(raw[v].map((x) => x.brokerCpuNsPerElectron / 1000)),
        // source, map, sink (the processes are started sink first)
        stageCpuUs: raw[v][0].stageCpuNsPerElectron.map((_, i) => summarize(raw[v].map((x) => x.stageCpuNsPerElectron[i] / 1000))).reverse(),
      },
    ]),
  );
}

if (sections.has('drain')) {
  log(`drain of ${settings.backlog}, ${settings.runs} runs`);
  const rates = await runDrain({ brokers, backlog: settings.backlog, runs: settings.runs });
  results.drain = Object.fromEntries(Object.entries(rates).map(([v, xs]) => [v, summarize(xs)]));
}

if (sections.has('embedded')) {
  const runs = [];
  for (let run = 0; run < settings.runs + 1; run++) {
    log(`embedded one link, run ${run + 1}/${settings.runs + 1} (the first warms up)`);
    const r = await runEmbeddedLink(settings.embeddedCount);
    if (run > 0 || settings.runs === 1) runs.push(r);
  }
  results.embeddedLink = { rate: summarize(runs.map((r) => r.rate)), cpuNs: summarize(runs.map((r) => r.cpuNsPerElectron)) };
}

if (sections.has('latency')) {
  const latencyVariants = ['raw', 'catenae'];
  const raw = Object.fromEntries(latencyVariants.map((v) => [v, []]));
  for (let run = 0; run < settings.runs; run++) {
    for (const variant of latencyVariants) {
      log(`latency ${variant} at ${settings.rates.join(', ')}/s, run ${run + 1}/${settings.runs}`);
      const r = await runPipeline(variant, { mode: 'latency', count: 0, rates: settings.rates, phaseMs: settings.phaseMs, warmupMs: settings.warmupMs }, { brokers, latencyConfig: settings.latencyConfig });
      raw[variant].push(r.latency);
    }
  }
  results.latency = Object.fromEntries(
    latencyVariants.map((v) => [
      v,
      settings.rates.map((rate, i) => ({
        rate,
        n: raw[v][0][i].n,
        p50: summarize(raw[v].map((runs) => runs[i].p50)),
        p99: summarize(raw[v].map((runs) => runs[i].p99)),
        p999: summarize(raw[v].map((runs) => runs[i].p999)),
      })),
    ]),
  );
}

if (sections.has('codecs')) {
  log('codecs');
  results.codecs = runCodecs({ iterations: settings.codecIterations, runs: settings.codecRuns });
}

if (sections.has('rpc')) {
  const runs = { kafka: [], kafkaLinger0: [], testDriver: [] };
  for (let run = 0; run < settings.runs; run++) {
    log(`rpc, run ${run + 1}/${settings.runs}`);
    runs.kafka.push(await rpcOverKafka({ brokers, calls: settings.rpcCalls }));
    runs.kafkaLinger0.push(await rpcOverKafka({ brokers, calls: settings.rpcCalls, kafkaConfig: { 'linger.ms': '0' } }));
    runs.testDriver.push(await rpcOnTestDriver({ calls: settings.rpcCalls }));
  }
  const of = (xs) => ({ p50: summarize(xs.map((x) => x.p50)), p99: summarize(xs.map((x) => x.p99)) });
  results.rpc = {
    'two `catenae run -k` processes, default settings': of(runs.kafka),
    'two `catenae run -k` processes, `--kafka-config linger.ms=0`': of(runs.kafkaLinger0),
    '`TestDriver.rpc`, embedded broker, one process': of(runs.testDriver),
  };
}

if (sections.has('tables')) {
  const raw = await runTableCounts({ brokers, brokerPid: javaPid, count: settings.tableCount, keys: settings.tableKeys, runs: settings.runs, systems: tableSystems, log });
  results.tables = Object.fromEntries(Object.entries(raw).map(([mode, bySystem]) => [mode, Object.fromEntries(Object.entries(bySystem).map(([s, runs]) => [s, summarizeRuns(runs)]))]));
  results.restores = await runRestores({ brokers, keys: settings.restoreKeys, log });
}

if (sections.has('windows')) {
  const raw = await runWindowedCounts({ brokers, brokerPid: javaPid, count: settings.tableCount, keys: settings.tableKeys, runs: settings.runs, spanMs: settings.windowSpanMs, systems: WINDOW_SYSTEMS.filter((s) => !smoke || s !== 'ks-default'), log });
  results.windows = Object.fromEntries(Object.entries(raw).map(([s, runs]) => [s, summarizeRuns(runs)]));
}

if (sections.has('table-memory')) {
  results.tableMemory = await runTableMemory({ brokers, keys: settings.memoryKeys, log });
}

results.machine.loadAverage.end = os.loadavg()[0];
results.seconds = Math.round((performance.now() - started) / 1000);
const ISSUE_11 = ['throughput', 'drain', 'embedded', 'latency', 'codecs', 'rpc'];
const hasIssue11 = ISSUE_11.some((s) => sections.has(s));
const hasTables = results.tables !== undefined || results.windows !== undefined;
const blocks = [hasIssue11 && renderResults(results), hasTables && renderTables(results), results.tableMemory && renderMemory(results)];
const markdown = blocks.filter(Boolean).join('\n\n');
mkdirSync(here('out'), { recursive: true });
writeFileSync(here('out/results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(here('out/results.md'), `${markdown}\n`);
if (results.throughput) writeFileSync(here('out/chart.svg'), renderChart(results));
console.log(markdown);
log(`done in ${results.seconds} s`);

/** `text` with what lies between `begin` and `end` replaced by `block` (markers included), or `block` appended. */
function replaceBlock(text, begin, end, block) {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  return from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
}

// A full run rewrites every generated part it ran; an --only run the parts of issues 15 and 17
// it ran whole (the tables with their restores, or the memory), never issue 11's.
const writes = smoke
  ? []
  : [
      !flags.only && [BEGIN, END, renderResults],
      results.tables !== undefined && [TABLES_BEGIN, TABLES_END, renderTables],
      results.tableMemory !== undefined && [MEMORY_BEGIN, MEMORY_END, renderMemory],
    ].filter(Boolean);
if (writes.length > 0) {
  const path = here('RESULTS.md');
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# native-bench results\n\n';
  for (const [begin, end, render] of writes) text = replaceBlock(text, begin, end, render(results));
  writeFileSync(path, text);
  if (!flags.only) copyFileSync(here('out/chart.svg'), here('chart.svg'));
  log(`RESULTS.md${flags.only ? '' : ' and chart.svg'} updated`);
}
