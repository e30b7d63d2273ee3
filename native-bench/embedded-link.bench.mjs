// One Catenae link on the embedded broker: a backlog of 100-byte strings, produced first, drained
// through a forwarding link (startLink, in this process) while a bare transport consumer counts
// the output. Electrons/s from the link's start to the last output; CPU is this process's.
// Usage: node native-bench/embedded-link.bench.mjs [electrons=1000000] [runs=3]
import { fileURLToPath } from 'node:url';
import { ElectronCodec, EmbeddedBroker, EmbeddedTransportFactory, startLink } from '@catenae/core';
import { PipelineMap } from './links/pipeline-map.mjs';
import { PLAIN_VALUE } from './lib/pipeline-protocol.mjs';

const noListener = { onAssigned() {}, onRevoked() {} };

/** One run: resolves to { rate, cpuNsPerElectron }. */
export async function runEmbeddedLink(total) {
  const factory = new EmbeddedTransportFactory(new EmbeddedBroker());
  const producer = factory.create({ clientId: 'bench-backlog' });
  const counter = factory.create({ clientId: 'bench-count', groupId: 'bench-count' });
  await producer.ensureTopics([{ topic: 'bench_source' }, { topic: 'bench_mapped' }]);
  const record = new ElectronCodec({}).encode(PLAIN_VALUE, null, 'bench_source', undefined, undefined);
  for (let i = 0; i < total; i += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, total - i) }, () => ({ ...record }));
    await new Promise((resolve, reject) => producer.produce(batch, (err) => (err ? reject(err) : resolve())));
  }
  counter.subscribe(['bench_mapped'], noListener);
  let received = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const count = (err, records) => {
    if (err) throw err;
    received += records.length;
    if (received >= total) finish();
    else counter.fetch(10_000, 100, count);
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const link = await startLink(PipelineMap, { transport: factory, logLevel: 'warn' });
  counter.fetch(10_000, 100, count);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all([link.stop(), producer.close(), counter.close()]);
  return { rate: total / seconds, cpuNsPerElectron: ((cpu.user + cpu.system) * 1000) / total };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const total = Number(process.argv[2] ?? 1_000_000);
  for (let i = 0; i < Number(process.argv[3] ?? 3); i++) {
    const r = await runEmbeddedLink(total);
    console.log(`embedded, one link: ${Math.round(r.rate)} electrons/s, ${Math.round(r.cpuNsPerElectron)} ns CPU per electron`);
  }
}
