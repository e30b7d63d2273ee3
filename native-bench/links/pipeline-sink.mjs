// The pipeline's sink as a Catenae link: counts electrons and, in latency runs, the time since
// each was stamped by the source; tells the harness once every expected electron arrived.
import { defineLink } from '@catenae/core';
import { LatencyRecorder, nowNs, pipelineSettings, reportCpuAtExit, tell } from '../lib/pipeline-protocol.mjs';

const settings = pipelineSettings();
const isLatency = settings.mode === 'latency';
const latencies = new LatencyRecorder(settings);
let received = 0;
reportCpuAtExit();

export const PipelineSink = defineLink({
  name: 'PipelineSink',
  inputs: ['bench_mapped'],
  transform(electron) {
    if (isLatency) latencies.record(electron.value, nowNs());
    if (++received === settings.expected) tell({ done: true, received, latency: isLatency ? latencies.summary() : undefined });
  },
});
