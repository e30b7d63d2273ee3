// What announcing adds to the electron path, measured alone: the runtime publishes one message per
// fetched batch (consumed) and per acknowledged output group (produced) once someone subscribes,
// and an announcing instance's counters add each batch up per topic. This times exactly that, on
// batches shaped like the runtime's (2,000 records, one topic, four partitions), with and without
// the counters attached. Best of several rounds, as the machine is shared.
// Usage: node native-bench/announce-counters.bench.mjs [batches=5000] [rounds=7]
import { channel } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { InstanceCounters } from '../packages/core/dist/announce/instance-counters.js';

const consumed = channel('catenae:link:consumed');
const produced = channel('catenae:link:produced');
const BATCH = 2000;
const records = Array.from({ length: BATCH }, (_, i) => ({ topic: 'bench_source', partition: i % 4, offset: i, key: null, value: null, headers: undefined, timestamp: 0 }));
const outputs = Array.from({ length: BATCH }, () => ({ topic: 'bench_mapped', partition: undefined, key: null, value: null, headers: undefined, timestamp: undefined }));

// The runtime's two publishing sites, as written in consume-loop.ts and emitter.ts.
function onePass(batches) {
  const started = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    if (consumed.hasSubscribers) consumed.publish({ link: 'PipelineMap', records });
    if (produced.hasSubscribers) produced.publish({ link: 'PipelineMap', records: outputs, error: null });
  }
  return Number(process.hrtime.bigint() - started) / (batches * BATCH);
}

/** Best ns per electron without and with an announcing instance's counters. */
export function runAnnounceCounters(batches = 5000, rounds = 7) {
  // As announced by a link reading one topic (PipelineMap's case): its batches are counted whole.
  const counters = new InstanceCounters('PipelineMap', 'bench', 'PipelineMap-bench', () => 'bench_source');
  const best = { silent: Infinity, announcing: Infinity };
  for (let r = 0; r < rounds; r++) {
    best.silent = Math.min(best.silent, onePass(batches));
    counters.attach();
    best.announcing = Math.min(best.announcing, onePass(batches));
    counters.detach();
  }
  counters.snapshot();
  return best;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { silent, announcing } = runAnnounceCounters(Number(process.argv[2] ?? 5000), Number(process.argv[3] ?? 7));
  console.log(`per electron: silent ${silent.toFixed(3)} ns, announcing ${announcing.toFixed(3)} ns (+${(announcing - silent).toFixed(3)} ns)`);
}
