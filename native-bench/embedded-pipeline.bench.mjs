// Throughput of a 3-link pipeline (source -> forward -> sink) on the embedded broker, all in
// one process: the figure that says whether the embedded broker slows users' tests.
// Usage: node native-bench/embedded-pipeline.bench.mjs [electrons=1000000]
import { EmbeddedBroker, EmbeddedTransportFactory, defineLink, startLink } from '@catenae/core';

const total = Number(process.argv[2] ?? 1_000_000);
const value = 'x'.repeat(100);
const broker = new EmbeddedBroker();
const transport = new EmbeddedTransportFactory(broker);
const options = { transport, logLevel: 'warn' };

let received = 0;
let finish;
const finished = new Promise((resolve) => (finish = resolve));
const Sink = defineLink({ name: 'Sink', inputs: ['forwarded'], transform() { if (++received === total) finish(); } });
const Forward = defineLink({ name: 'Forward', inputs: ['source'], output: 'forwarded', transform: (electron) => electron });
const Source = defineLink({
  name: 'Source',
  output: 'source',
  *generator() {
    for (let i = 0; i < total; i++) yield value;
  },
});

const sink = await startLink(Sink, options);
const forward = await startLink(Forward, options);
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
const source = await startLink(Source, options);
await finished;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
console.log(`embedded pipeline (source -> forward -> sink, ${total} electrons of 100 bytes): ${Math.round(total / seconds)} electrons/s, ${(((cpu.user + cpu.system) / total) * 1000).toFixed(0)} ns CPU per electron`);
await Promise.all([source.stop(), forward.stop(), sink.stop()]);
