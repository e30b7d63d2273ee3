// The windowed counting link of the window benchmarks: a count per key and 1-minute tumbling
// window of the electron's timestamp (no grace, windows aligned to the epoch as Kafka Streams'),
// each electron's count in its window so far emitted as text, keyed `<key>@<window start>`, like
// Kafka Streams' windowedBy(...).count() with its record cache off. Under the harness
// (BENCH_COUNT set) it tells when it handles the first and the BENCH_COUNT-th electron.
import { Electron, defineLink } from '@catenae/core';
import { tell } from '../lib/pipeline-protocol.mjs';

const expected = Number(process.env.BENCH_COUNT ?? 0);
const MINUTE = 60_000;
let handled = 0;

export const WindowCount = defineLink({
  name: 'WindowCount',
  inputs: ['bench_window_in'],
  output: 'bench_window_out',
  tables: { counts: { window: { size: '1m' } } },
  transform(electron, ctx) {
    let count = 0;
    ctx.tables.counts.update(electron.key, (n) => (count = (n ?? 0) + 1));
    if (++handled === 1) tell({ first: Date.now() });
    if (handled === expected) tell({ last: Date.now() });
    const start = Math.floor(electron.timestamp / MINUTE) * MINUTE;
    return new Electron({ key: `${electron.key}@${start}`, value: String(count) });
  },
});
