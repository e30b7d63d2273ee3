// The pipeline's middle stage as a Catenae link: every electron goes on unchanged.
import { defineLink } from '@catenae/core';
import { reportCpuAtExit } from '../lib/pipeline-protocol.mjs';

reportCpuAtExit();

export const PipelineMap = defineLink({ name: 'PipelineMap', inputs: ['bench_source'], output: 'bench_mapped', transform: (electron) => electron });
