#!/usr/bin/env node
// Soak test (issue 9): source -> map -> sink as three `catenae run` processes on a real Kafka
// broker under steady load, each serving --metrics-port; /metrics of each is scraped every 10 s
// (RSS, heap, event-loop delay, counts, lag). Each process's peak RSS in the last minute must stay
// within 10% of its peak over the two minutes around the end of the warm-up (peaks over two
// minutes: RSS dips when memory is given back, and a dip is no baseline). Zero loss is checked at
// the end (every electron the source produced reached the sink). Not part of `pnpm test`: it runs
// 10 minutes by default.
//
//   pnpm build && node test/soak/soak.mjs --own-broker           # 10 min at 5000/s, appends to test/RELIABILITY.md
//   node test/soak/soak.mjs --duration-s 60 --warmup-s 20 --no-write --no-memory-check   # a quick run
//
// Flags: --kafka host:port (KAFKA_BOOTSTRAP, else 127.0.0.1:9092), --rate N (5000), --duration-s S (600),
// --warmup-s S (120), --scrape-s S (10), --max-growth F (0.10), --no-write, --no-memory-check, --json FILE,
// --own-broker [--own-broker-port P (39092)]: run on a broker of its own (temporary data dir, stopped and
// removed at the end), away from a shared one that other tests may stop or load; --v8-default: leave
// V8's young generation free to resize (by default the links get --min-semi-space-size=16
// --max-semi-space-size=16: V8 otherwise grows and shrinks it in steps of 16 MB over minutes, which
// on a 100-MB process reads as 16% growth or shrinkage of RSS).
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const BIN = here('../../packages/cli/dist/bin.js');
const RELIABILITY = here('../RELIABILITY.md');

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const options = {
  kafka: flag('kafka', process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092'),
  rate: Number(flag('rate', 5000)),
  durationS: Number(flag('duration-s', 600)),
  warmupS: Number(flag('warmup-s', 120)),
  scrapeS: Number(flag('scrape-s', 10)),
  maxGrowth: Number(flag('max-growth', 0.1)),
  write: !argv.includes('--no-write'),
  checkMemory: !argv.includes('--no-memory-check'),
  json: flag('json', undefined),
  ownBroker: argv.includes('--own-broker'),
  pinYoungGeneration: !argv.includes('--v8-default'),
};
const YOUNG_GENERATION = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

let ownBroker;
if (options.ownBroker) {
  const kafka = await import(here('../../packages/kafka/dist/index.js'));
  const port = Number(flag('own-broker-port', 39092));
  const dataDir = mkdtempSync(join(tmpdir(), 'catenae-soak-broker-'));
  await kafka.kafkaUp({ port, dataDir, logger: { info: (line) => console.log(line) } });
  ownBroker = { stop: () => kafka.kafkaDown({ port, dataDir, removeData: true }) };
  options.kafka = `127.0.0.1:${port}`;
}

/** Stops the links (and the soak's own broker) and exits. */
async function fail(message) {
  console.error(`soak: ${message}`);
  await stopAll();
  await ownBroker?.stop();
  process.exit(1);
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** A `catenae run` process, its stderr kept line by line. */
function run(name, file, args, port) {
  // V8 flags go on node's command line: NODE_OPTIONS refuses them.
  const child = spawn(process.execPath, [...(options.pinYoungGeneration ? YOUNG_GENERATION : []), BIN, 'run', here(`./links/${file}`), '-k', options.kafka, '--metrics-port', String(port), '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env },
  });
  const lines = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    lines.push(line);
    if (!line.includes('soak-window')) process.stderr.write(`[${name}] ${line}\n`);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { name, port, child, lines, exited, samples: [] };
}

/** Every sample of a Prometheus text, summed by metric name over the label sets matching `filter`. */
function total(text, name, filter = () => true) {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!filter(line)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? sum : undefined;
}

async function scrape(proc, elapsedS) {
  let text;
  try {
    const response = await fetch(`http://127.0.0.1:${proc.port}/metrics`);
    text = await response.text();
  } catch {
    return undefined;
  }
  const sample = {
    t: elapsedS,
    rssMb: total(text, 'process_resident_memory_bytes') / 2 ** 20,
    heapMb: total(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    heapTotalMb: total(text, 'nodejs_heap_size_total_bytes') / 2 ** 20,
    externalMb: total(text, 'nodejs_external_memory_bytes') / 2 ** 20,
    loopP50Ms: total(text, 'nodejs_eventloop_lag_p50_seconds') * 1000,
    loopP99Ms: total(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: total(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
    cpuS: total(text, 'process_cpu_seconds_total'),
    in: total(text, 'catenae_electrons_in_total') ?? 0,
    out: total(text, 'catenae_electrons_out_total') ?? 0,
    lag: total(text, 'catenae_consumer_lag') ?? 0,
  };
  proc.samples.push(sample);
  return sample;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
};
const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

const id = `${Date.now().toString(36)}`;
const topics = { a: `soak_a_${id}`, b: `soak_b_${id}` };
const [sourcePort, mapPort, sinkPort] = [await freePort(), await freePort(), await freePort()];
const sink = run('sink', 'sink.mjs', ['-i', topics.b, '-g', `soak_sink_${id}`], sinkPort);
const map = run('map', 'map.mjs', ['-i', topics.a, '-o', topics.b, '-g', `soak_map_${id}`], mapPort);
const processes = [sink, map];
let source;
const stopAll = async () => {
  for (const proc of [source, map, sink]) if (proc && proc.child.exitCode === null) proc.child.kill('SIGTERM');
  await Promise.all([source, map, sink].filter(Boolean).map((proc) => proc.exited));
};
process.on('SIGINT', () => void stopAll().then(() => ownBroker?.stop()).then(() => process.exit(130)));

// The consumers first, ready (partitions assigned) before the load starts.
const readyBy = Date.now() + 60_000;
for (const proc of processes) {
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${proc.port}/ready`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > readyBy) await fail(`${proc.name} never became ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
source = run('source', 'source.mjs', ['-o', topics.a, '--', '--rate', String(options.rate)], sourcePort);
processes.unshift(source);
const startedAt = Date.now();
console.log(`soak: ${options.rate}/s for ${options.durationS} s (warm-up ${options.warmupS} s) on ${options.kafka}, topics ${topics.a} -> ${topics.b}`);

const loads = [];
while (Date.now() - startedAt < options.durationS * 1000) {
  await new Promise((resolve) => setTimeout(resolve, options.scrapeS * 1000));
  const t = Math.round((Date.now() - startedAt) / 1000);
  loads.push(loadavg()[0]);
  const row = [];
  for (const proc of processes) {
    const s = await scrape(proc, t);
    row.push(s ? `${proc.name} rss ${fixed(s.rssMb)} MB loop p99 ${fixed(s.loopP99Ms)} ms in ${s.in} out ${s.out} lag ${s.lag}` : `${proc.name} -`);
  }
  console.log(`t=${t}s  ${row.join(' | ')}`);
  if ([source, map, sink].some((proc) => proc.child.exitCode !== null)) {
    await fail('a link exited during the soak');
  }
}

// Stop the load (the source logs how many it sent, all acknowledged), let the pipeline drain, then count.
source.child.kill('SIGTERM');
const sourceExit = await source.exited;
const produced = Number(/soak-source sent=(\d+)/.exec(source.lines.join('\n'))?.[1] ?? NaN);
const drainBy = Date.now() + 120_000;
while (Date.now() < drainBy) {
  const m = await scrape(map, -1);
  const s = await scrape(sink, -1);
  // The map emits one electron per input: the sink is done once it read as many as were sent.
  if (m && s && m.in >= produced && s.in >= produced) break;
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
const mapFinal = map.samples.at(-1);
const sinkFinal = sink.samples.at(-1);
map.child.kill('SIGTERM');
sink.child.kill('SIGTERM');
const [mapExit, sinkExit] = await Promise.all([map.exited, sink.exited]);
for (const proc of processes) proc.samples = proc.samples.filter((s) => s.t >= 0);

// Memory: peak RSS of the two minutes around the end of warm-up against the peak of the last
// minute; the same for native memory (RSS minus V8's committed heap minus Buffers); and the
// least-squares slope of RSS over everything after warm-up.
const windowS = Math.min(60, Math.max(options.scrapeS, (options.durationS - options.warmupS) / 3));
const results = processes.map((proc) => {
  const after = proc.samples.filter((s) => s.t >= options.warmupS);
  const base = proc.samples.filter((s) => s.t >= options.warmupS - windowS && s.t <= options.warmupS + windowS);
  const last = after.filter((s) => s.t > options.durationS - windowS);
  const rssBase = Math.max(...base.map((s) => s.rssMb));
  const rssEnd = Math.max(...last.map((s) => s.rssMb));
  const rssMax = Math.max(...after.map((s) => s.rssMb));
  const meanT = after.reduce((sum, s) => sum + s.t, 0) / after.length;
  const meanRss = after.reduce((sum, s) => sum + s.rssMb, 0) / after.length;
  const slope = after.reduce((sum, s) => sum + (s.t - meanT) * (s.rssMb - meanRss), 0) / after.reduce((sum, s) => sum + (s.t - meanT) ** 2, 0);
  return {
    name: proc.name,
    rssBase,
    rssEnd,
    rssMax,
    growth: rssEnd / rssBase - 1,
    slopeMbPerMin: slope * 60,
    heapBase: median(base.map((s) => s.heapMb)),
    heapEnd: median(last.map((s) => s.heapMb)),
    heapTotalBase: Math.max(...base.map((s) => s.heapTotalMb)),
    heapTotalEnd: Math.max(...last.map((s) => s.heapTotalMb)),
    externalBase: Math.max(...base.map((s) => s.externalMb)),
    externalEnd: Math.max(...last.map((s) => s.externalMb)),
    nativeBase: Math.max(...base.map((s) => s.rssMb - s.heapTotalMb - s.externalMb)),
    nativeEnd: Math.max(...last.map((s) => s.rssMb - s.heapTotalMb - s.externalMb)),
    loopP99Median: median(after.map((s) => s.loopP99Ms)),
    loopP99Max: Math.max(...after.map((s) => s.loopP99Ms)),
    loopMax: Math.max(...after.map((s) => s.loopMaxMs)),
    cpuPercent: ((proc.samples.at(-1).cpuS - (base[0]?.cpuS ?? 0)) / (proc.samples.at(-1).t - (base[0]?.t ?? 0))) * 100,
  };
});
const windows = sink.lines
  .map((line) => /soak-window n=(\d+) p50=(\d+) p99=(\d+) max=(\d+)/.exec(line))
  .filter((m) => m && Number(m[1]) > 0)
  .map((m) => ({ n: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), max: Number(m[4]) }));
const lost = produced - (sinkFinal?.in ?? 0);
const summary = {
  at: new Date().toISOString(),
  options,
  node: process.version,
  cpus: cpus().length,
  loadAverage: { median: median(loads), max: Math.max(...loads) },
  produced,
  mapIn: mapFinal?.in,
  sinkIn: sinkFinal?.in,
  lost,
  exits: { source: sourceExit, map: mapExit, sink: sinkExit },
  results,
  latencyMs: { p50Median: median(windows.map((w) => w.p50)), p99Median: median(windows.map((w) => w.p99)), p99Max: Math.max(...windows.map((w) => w.p99)), max: Math.max(...windows.map((w) => w.max)) },
  samples: Object.fromEntries(processes.map((proc) => [proc.name, proc.samples])),
};
if (options.json) writeFileSync(options.json, JSON.stringify(summary, null, 2));

const memoryOk = results.every((r) => r.growth <= options.maxGrowth);
const deliveryOk = lost === 0 && sinkFinal?.in === mapFinal?.in && [sourceExit, mapExit, sinkExit].every((code) => code === 0);
const table = [
  '| process | peak RSS around warm-up end (MB) | peak RSS, last minute (MB) | growth | RSS trend after warm-up | native memory, same peaks (MB) | V8 committed heap, same peaks (MB) | heap used, medians (MB) | event-loop delay p99, median / max of 10-s windows (ms) | CPU |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${fixed(r.rssBase)} | ${fixed(r.rssEnd)} | ${fixed(r.growth * 100)}% | ${fixed(r.slopeMbPerMin, 2)} MB/min | ${fixed(r.nativeBase)} → ${fixed(r.nativeEnd)} | ${fixed(r.heapTotalBase)} → ${fixed(r.heapTotalEnd)} | ${fixed(r.heapBase)} → ${fixed(r.heapEnd)} | ${fixed(r.loopP99Median)} / ${fixed(r.loopP99Max)} | ${fixed(r.cpuPercent, 0)}% |`,
  ),
];
console.log(`\n${table.join('\n')}`);
console.log(
  `produced ${summary.produced}, map read ${summary.mapIn}, sink read ${summary.sinkIn}, lost ${lost}; end-to-end latency p50 ${summary.latencyMs.p50Median} ms, p99 ${summary.latencyMs.p99Median} ms (worst window ${summary.latencyMs.p99Max} ms); exits ${sourceExit}/${mapExit}/${sinkExit}`,
);
console.log(`memory ${memoryOk ? 'flat' : 'GREW'} (limit ${options.maxGrowth * 100}%), delivery ${deliveryOk ? 'complete' : 'INCOMPLETE'}`);

if (options.write) {
  const section = [
    '',
    `## Soak: source → map → sink under steady load (${summary.at.slice(0, 10)})`,
    '',
    `Written by \`node test/soak/soak.mjs${options.ownBroker ? ' --own-broker' : ''}\` (issue 9). Three \`catenae run\` processes (async mode, default flags) on ${options.ownBroker ? 'a local single-node broker of their own' : `the local single-node broker at ${options.kafka}`},`,
    `${options.rate} electrons/s of ~100-byte keyed strings for ${options.durationS} s; \`/metrics\` of each scraped every ${options.scrapeS} s`,
    `(prom-client's \`process_resident_memory_bytes\`, \`nodejs_heap_size_used_bytes\`, \`nodejs_eventloop_lag_p99_seconds\`; the last is reset at each`,
    `scrape and, sampled by a 10-ms timer, includes those 10 ms: an idle process shows about 10 ms).`,
    `Memory: the peak RSS of the last ${windowS} s against the peak over ${options.warmupS - windowS}-${options.warmupS + windowS} s (around the end of a ${options.warmupS}-s warm-up), the same peaks of native memory`,
    `(RSS minus V8's committed heap minus Buffers) and of V8's committed heap, and the least-squares trend of RSS after warm-up.`,
    `V8's young generation ${options.pinYoungGeneration ? `pinned in the links (\`node ${YOUNG_GENERATION.join(' ')}\`)` : 'left to resize (--v8-default)'}.`,
    `Machine: ${summary.cpus} CPUs shared with the broker and whatever else ran (1-min load average during the run: median ${fixed(summary.loadAverage.median)}, max ${fixed(summary.loadAverage.max)}), Node ${summary.node}.`,
    '',
    ...table,
    '',
    `- Buffers (external memory), same peaks: ${results.map((r) => `${r.name} ${fixed(r.externalBase)} → ${fixed(r.externalEnd)} MB`).join(', ')}.`,
    `- Delivery: the source produced ${summary.produced}, the map read ${summary.mapIn}, the sink read ${summary.sinkIn}: lost ${lost}. Exit codes ${sourceExit}/${mapExit}/${sinkExit}.`,
    `- End-to-end latency (source send → sink handler), per 10-s window: p50 median ${summary.latencyMs.p50Median} ms, p99 median ${summary.latencyMs.p99Median} ms, worst window p99 ${summary.latencyMs.p99Max} ms, max ${summary.latencyMs.max} ms.`,
    `- Verdict: memory ${memoryOk ? `flat (every process within ${options.maxGrowth * 100}%)` : `GREW beyond ${options.maxGrowth * 100}%`}; delivery ${deliveryOk ? 'complete' : 'INCOMPLETE'}.`,
    '',
  ].join('\n');
  if (!existsSync(RELIABILITY)) writeFileSync(RELIABILITY, '# Reliability figures\n');
  appendFileSync(RELIABILITY, section);
  console.log(`appended to ${RELIABILITY}`);
}
await ownBroker?.stop();
process.exit((options.checkMemory && !memoryOk) || !deliveryOk ? 1 : 0);
