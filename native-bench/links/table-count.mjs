// The counting link of the table benchmarks: a count per key in a keyed table, each electron's
// new count emitted (as text, keyed by the key), like Kafka Streams' groupByKey().count() with
// its record cache off. Under the harness (BENCH_COUNT set) it tells when it handles the first
// and the BENCH_COUNT-th electron, as the Kafka Streams program's peek does.
import { Electron, defineLink } from '@catenae/core';
import { tell } from '../lib/pipeline-protocol.mjs';

const expected = Number(process.env.BENCH_COUNT ?? 0);
let handled = 0;

export const TableCount = defineLink({
  name: 'TableCount',
  inputs: ['bench_table_in'],
  output: 'bench_table_out',
  tables: { counts: {} },
  transform(electron, ctx) {
    const counts = ctx.tables.counts;
    const n = (counts.get(electron.key) ?? 0) + 1;
    counts.set(electron.key, n);
    if (++handled === 1) tell({ first: Date.now() });
    if (handled === expected) tell({ last: Date.now() });
    return new Electron({ key: electron.key, value: String(n) });
  },
});
