// The RPC benchmark's client: calls RpcEcho.echo until one answers (the server may still be
// joining), warms up, then makes BENCH_CALLS calls one after another and tells the harness the
// round-trip percentiles; a pure source, so the process ends once it is done.
import { defineLink } from '@catenae/core';
import { percentile } from '../lib/stats.mjs';
import { tell } from '../lib/pipeline-protocol.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 1000);
const WARM_UP_CALLS = 50;

export const RpcCaller = defineLink({
  name: 'RpcCaller',
  async generator(ctx) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await ctx.rpc.call('RpcEcho', 'echo', { i: -1 }, { timeoutMs: 2000 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
    }
    for (let i = 0; i < WARM_UP_CALLS; i++) await ctx.rpc.call('RpcEcho', 'echo', { i });
    const samples = new Float64Array(calls);
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      await ctx.rpc.call('RpcEcho', 'echo', { i });
      samples[i] = performance.now() - started;
    }
    samples.sort();
    tell({ done: true, calls, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[calls - 1] });
  },
});
