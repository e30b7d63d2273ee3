// The pipeline's source as a Catenae link: 100-byte strings, as fast as the runtime takes them
// (a generator) or at fixed rates with a send stamp (ctx.send in a paced loop). It tells the
// harness it is ready from setup and starts on `go`.
import { defineLink } from '@catenae/core';
import { PLAIN_VALUE, pace, pipelineSettings, reportCpuAtExit, stampedValue, tell, untilGo } from '../lib/pipeline-protocol.mjs';

const settings = pipelineSettings();
reportCpuAtExit();

function* manyValues() {
  for (let i = 0; i < settings.count; i++) yield PLAIN_VALUE;
}

// ctx.send, not an async generator: the runtime flushes an async generator's items only every
// 1000 items, which at 1k/s is a second of latency (reported in RESULTS.md).
async function pacedValues(ctx) {
  await pace(settings, (tag) => ctx.send(stampedValue(tag)));
}

export const PipelineSource = defineLink({
  name: 'PipelineSource',
  output: 'bench_source',
  async setup() {
    tell({ ready: true });
    await untilGo();
  },
  generator: settings.mode === 'latency' ? pacedValues : manyValues,
});
