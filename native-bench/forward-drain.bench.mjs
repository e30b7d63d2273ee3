// Drain time of a backlog through one forwarding middle stage on the local Kafka broker:
// a stage written by hand on node-rdkafka against the same stage as a Catenae link run by
// `catenae run`. Each run forwards the same backlog to a fresh LogAppendTime topic; the figure is
// the span of the broker's append timestamps there, so process start and group join are not
// counted for either. Runs alternate; the median of each is reported with the spread.
// Usage: node native-bench/forward-drain.bench.mjs [backlog=200000] [runs=3]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { appendSpanMs, createTopic, produceBacklog } from './kafka-tools.mjs';

const backlog = Number(process.argv[2] ?? 200_000);
const runs = Number(process.argv[3] ?? 3);
const port = Number(process.env.KAFKA_PORT ?? 9092);
const brokers = `127.0.0.1:${port}`;
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const kafka = await import(here('../packages/kafka/dist/index.js'));
const startedBroker = !(await kafka.kafkaUp({ port, logger: { info: (line) => process.stderr.write(`${line}\n`) } })).alreadyRunning;

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [command, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

async function stage(kind, input, index) {
  const output = `bench_out_${kind}_${index}_${Date.now().toString(36)}`;
  await createTopic(brokers, output, 4, { 'message.timestamp.type': 'LogAppendTime' });
  const group = `bench_${kind}_${index}_${Date.now().toString(36)}`;
  if (kind === 'hand') {
    await run(here('hand-forward.mjs'), [brokers, input, output, group, String(backlog)]);
  } else {
    await run(here('../packages/cli/dist/bin.js'), ['run', here('links/forward.mjs'), '-k', brokers, '-i', input, '-o', output, '-g', group, '--log-level', 'warn', '--consumer-timeout', '3000']);
  }
  return backlog / ((await appendSpanMs(brokers, output, backlog)) / 1000);
}

const input = `bench_in_${Date.now().toString(36)}`;
await createTopic(brokers, input, 4);
await produceBacklog(brokers, input, backlog, 100);
const rates = { hand: [], catenae: [] };
for (let i = 0; i < runs; i++) {
  for (const kind of ['hand', 'catenae']) rates[kind].push(await stage(kind, input, i));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const show = (xs) => `${Math.round(median(xs))}/s (runs: ${xs.map((x) => Math.round(x)).join(', ')})`;
console.log(`forward drain of ${backlog} x 100 B, 4 partitions:`);
console.log(`  node-rdkafka by hand: ${show(rates.hand)}`);
console.log(`  catenae run:          ${show(rates.catenae)}`);
console.log(`  ratio catenae/hand:   ${(median(rates.catenae) / median(rates.hand)).toFixed(3)}`);
if (startedBroker) await kafka.kafkaDown({ port, logger: { info: () => {} } });
