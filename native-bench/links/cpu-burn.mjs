// Links of workers.bench.mjs, in a module of their own: each worker thread imports it.
import { defineLink } from '@catenae/core';

/** A fixed amount of integer work (a linear congruential generator), so a preempted thread does not finish early. */
export function work(iterations) {
  let x = 1;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  return x;
}

/** Iterations of {@link work} that take `ms` of one core here (median of a few timed runs). */
export function calibrate(ms) {
  let iterations = 100_000;
  const timed = () => {
    const start = process.hrtime.bigint();
    work(iterations);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  while (timed() < 20) iterations *= 2;
  const samples = Array.from({ length: 7 }, timed).sort((a, b) => a - b);
  return Math.round((iterations * ms) / samples[3]);
}

/** Burns `ctx.args[0]` iterations per electron (≈2 ms of CPU), then forwards it. */
export const Burn = defineLink({
  name: 'Burn',
  inputs: ['burn_in'],
  output: 'burn_out',
  state: () => ({ iterations: 0, sink: 0 }),
  setup(ctx) {
    this.iterations = Number(ctx.args[0]);
  },
  transform(electron) {
    this.sink ^= work(this.iterations);
    return electron;
  },
});

/** Forwards each electron: the cost of the thread hop itself. */
export const Trivial = defineLink({ name: 'Trivial', inputs: ['trivial_in'], output: 'trivial_out', transform: (electron) => electron });
