// One Catenae link on the embedded broker: a backlog of 100-byte strings, produced first, drained
// through a forwarding link (startLink, in this process) while a bare transport consumer counts
// the output. Electrons/s from the link's start to the last output; CPU is this process's.
// Usage: node native-bench/embedded-link.bench.mjs [electrons=1000000] [runs=3] [announce|announcing|silent]
// With `announce`, runs alternate between a link that announces itself (every 10 s, as on Kafka:
// its counters fed per batch from the diagnostics channels) and one that does not; `announcing`
// and `silent` run only one of them (to count instructions of each under valgrind).
import { fileURLToPath } from 'node:url';
import { ElectronCodec, EmbeddedBroker, EmbeddedTransportFactory, startLink } from '@catenae/core';
import { PipelineMap } from './links/pipeline-map.mjs';
import { PLAIN_VALUE } from './lib/pipeline-protocol.mjs';

const noListener = { onAssigned() {}, onRevoked() {} };

/** One run: resolves to { rate, cpuNsPerElectron }. `announceIntervalMs` > 0 announces the link. */
export async function runEmbeddedLink(total, announceIntervalMs = 0) {
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
  const link = await startLink(PipelineMap, { transport: factory, logLevel: 'warn', announceIntervalMs });
  counter.fetch(10_000, 100, count);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all([link.stop(), producer.close(), counter.close()]);
  return { rate: total / seconds, cpuNsPerElectron: ((cpu.user + cpu.system) * 1000) / total };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const total = Number(process.argv[2] ?? 1_000_000);
  const mode = process.argv[4];
  const intervals = mode === 'announce' ? [0, 10_000] : mode === 'announcing' ? [10_000] : [0];
  for (let i = 0; i < Number(process.argv[3] ?? 3); i++) {
    for (const interval of intervals) {
      const r = await runEmbeddedLink(total, interval);
      const label = mode === undefined ? '' : interval > 0 ? ' (announcing)' : ' (silent)    ';
      console.log(`embedded, one link${label}: ${Math.round(r.rate)} electrons/s, ${Math.round(r.cpuNsPerElectron)} ns CPU per electron`);
    }
  }
}
