// --workers on the embedded broker (no Kafka, so the broker does not share the cores):
// 1. a handler burning ~2 ms of CPU per electron, without workers and with `workers: 2`;
// 2. a trivial handler without workers and with `workers: 1`: the cost of the thread hop.
// Each configuration runs `runs` times on a fresh broker, alternating; medians are printed.
// Usage: node native-bench/workers.bench.mjs [burnElectrons=2000] [trivialElectrons=100000] [runs=3]
import os from 'node:os';
import { ElectronCodec, EmbeddedBroker, EmbeddedTransportFactory, defineLink, startLink } from '@catenae/core';
import { calibrate } from './links/cpu-burn.mjs';

const burnElectrons = Number(process.argv[2] ?? 2000);
const trivialElectrons = Number(process.argv[3] ?? 100_000);
const runs = Number(process.argv[4] ?? 3);
const moduleUrl = new URL('./links/cpu-burn.mjs', import.meta.url).href;
const { Burn, Trivial } = await import(moduleUrl);
const iterations = calibrate(2);
const codec = new ElectronCodec({});

/** Electrons per second through `link` (already produced input is read from a standing start). */
async function measure(link, input, output, total, options) {
  const broker = new EmbeddedBroker();
  const transport = new EmbeddedTransportFactory(broker);
  let received = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const sink = await startLink(defineLink({ name: 'Sink', inputs: [output], transform() { if (++received === total) finish(); } }), { transport, logLevel: 'warn' });
  const handle = await startLink(link, { transport, logLevel: 'warn', moduleUrl, args: [String(iterations)], ...options });
  const producer = transport.create({ clientId: 'bench' });
  await producer.connect();
  const records = Array.from({ length: total }, (_, i) => codec.encode(`value-${i}`, `key-${i % 256}`, input, undefined, undefined));
  const started = process.hrtime.bigint();
  producer.produce(records, () => undefined);
  await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all([handle.stop(), sink.stop(), producer.close()]);
  return total / seconds;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const configs = [
  ['2 ms CPU handler, no workers', Burn, 'burn_in', 'burn_out', burnElectrons, {}],
  ['2 ms CPU handler, workers: 2', Burn, 'burn_in', 'burn_out', burnElectrons, { workers: 2 }],
  ['trivial handler, no workers', Trivial, 'trivial_in', 'trivial_out', trivialElectrons, {}],
  ['trivial handler, workers: 1', Trivial, 'trivial_in', 'trivial_out', trivialElectrons, { workers: 1 }],
];
const results = configs.map(() => []);
const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
for (let run = 0; run < runs; run++) {
  for (const [i, [, link, input, output, total, options]] of configs.entries()) results[i].push(await measure(link, input, output, total, options));
}

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), ${runs} runs, medians; ${iterations} iterations ≈ 2 ms`);
for (const [i, [name, , , , total]] of configs.entries()) {
  console.log(`${name.padEnd(32)} ${String(Math.round(median(results[i]))).padStart(8)} electrons/s  (${total} electrons; runs: ${results[i].map(Math.round).join(', ')})`);
}
const [burn0, burn2, trivial0, trivial1] = results.map(median);
// Each run measures both configurations back to back: the median of those ratios resists a
// neighbour taking the CPU during one run better than a ratio of medians does.
const ratios = (a, b) => results[a].map((value, run) => value / results[b][run]);
console.log(`workers: 2 vs none, 2 ms CPU handler: ${(burn2 / burn0).toFixed(2)}x (median of per-run ratios ${median(ratios(1, 0)).toFixed(2)}x: ${ratios(1, 0).map((r) => r.toFixed(2)).join(', ')})`);
console.log(`workers: 1 vs none, trivial handler: ${(trivial1 / trivial0).toFixed(2)}x the throughput (${(1e6 / trivial1 - 1e6 / trivial0).toFixed(1)} µs more per electron)`);
console.log(`load average before/after: ${loadBefore} / ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
